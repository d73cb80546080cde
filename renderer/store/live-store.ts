/**
 * Observed host state for the live view, kept apart from the document: the host
 * as discovered, per-object status (in sync / pending / drifted / unmanaged) and
 * link up/down. Nodes subscribe to their own entry, so one watch event repaints
 * one port, not the canvas.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Topology } from '../../shared/model/schema';
import type { LinkOper, LiveStatus } from '../model/live-merge';
import type { DriftField } from '../model/drift';
import type { ObservedHost } from '../../shared/model/observed';

import type { RatesView } from '../model/rates';
export const NO_RATES: RatesView = { now: {}, history: {} };

export interface LiveState {
  enabled: boolean;
  loading: boolean;
  /** the host as drawn: its document, plus the unnamed namespaces when `allNamespaces` (../model/live-unnamed.ts) */
  host?: Topology;
  /** the document laid over the drawn host (../model/live-merge.ts): what the canvas draws; replaced only when its shape changes */
  merged?: Topology;
  /** the host's document as the helper sent it (named namespaces only) */
  hostNamed?: Topology;
  observed?: ObservedHost;
  /** toolbar toggle: every namespace (default) or the named ones only */
  allNamespaces: boolean;
  /** `inode:N` → the document's external entry drawn in its place (../model/live-external.ts) */
  aliases: Record<string, string>;
  /** the document's external entries the aliases were made from (`externalsKey`) */
  externals: string;
  /** namespace name → label (container name, pod, Mininet host, process) */
  labels: Record<string, string>;
  status: Record<string, LiveStatus>;
  /** canvas id → document value vs host value of each drifted field */
  drift: Record<string, DriftField[]>;
  /** link key → administratively up */
  linkUp: Record<string, boolean>;
  /** link key → operational state (carrier), apart from the admin state */
  linkOper: Record<string, LinkOper>;
  /** per-link throughput from the helper's counters (../model/rates.ts) */
  rates: RatesView;
  error?: string;
  events: number;
}

export const liveStore = createStore<LiveState>(() => ({
  enabled: false,
  loading: false,
  allNamespaces: true,
  labels: {},
  aliases: {},
  externals: '[]',
  status: {},
  drift: {},
  linkUp: {},
  linkOper: {},
  rates: NO_RATES,
  events: 0,
}));
export const useLive = <T>(selector: (s: LiveState) => T): T => useStore(liveStore, selector);

/** A live fact about one link changed (watch event): only that link's subscribers re-render. */
export function setLinkUp(key: string, up: boolean): void {
  const s = liveStore.getState();
  if (s.linkUp[key] === up) return;
  liveStore.setState({ linkUp: { ...s.linkUp, [key]: up }, events: s.events + 1 });
}
