/**
 * What reachability needs beyond the document and the live picture: the filter
 * tables of the live host (the watch does not carry them: reading them costs an
 * iptables-save per namespace, so they are read when reachability is asked,
 * and again before real pings), and the real pings' outcomes with their progress.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Backend, PingOutcome } from '../../shared/backend';
import { MAX_PINGS_PER_CALL } from '../../shared/backend';
import type { ObservedNamespace } from '../../shared/model/observed';
import { isUnnamedName } from '../model/live-unnamed';

/** What discover `filter` reads of a namespace's firewall for reachability (filter tables, v4 and v6; mangle where fwmark rules need it). */
export type FirewallLines = Pick<ObservedNamespace, 'filterLines' | 'filter6Lines' | 'mangleLines' | 'mangle6Lines'>;

export interface ReachState {
  /** live host: namespace → its firewall lines, as last read; undefined until read */
  filters?: Record<string, FirewallLines>;
  filtersError?: string;
  /** how many times the filter tables were read with a change (the inspector shows it, tests wait on it) */
  filtersReads?: number;
  /** `${from}\0${to}` → the real ping's outcome */
  actual: Record<string, PingOutcome>;
  /** pings running: how far */
  pinging?: { done: number; total: number };
  /** the last ping run, once finished (kept on screen: a fast run would otherwise flash by unseen) */
  pinged?: { done: number; total: number };
  /** ping runs started so far (a test waits for the end of its own run) */
  pingRuns: number;
  pingError?: string;
}

export const reachStore = createStore<ReachState>(() => ({ actual: {}, pingRuns: 0 }));
export const useReach = <T>(selector: (s: ReachState) => T): T => useStore(reachStore, selector);

export const pairKey = (from: string, to: string) => `${from}\0${to}`;

/**
 * How often the live view reads the filter tables again while reachability is shown:
 * a rule changed by hand (iptables, nft) sends no netlink event the watch hears.
 */
export const FILTER_REFRESH_MS = 3000;

let reading: Promise<void> | undefined;

/** Read the live host's filter tables (one discover with `filter`); one read at a time, the state replaced only when they changed. */
export function readFilters(backend: Backend): Promise<void> {
  reading ??= (async () => {
    try {
      const r = await backend.discover({ unnamed: true, filter: true });
      if (!r.ok) return reachStore.setState({ filtersError: r.error.message });
      const filters: Record<string, FirewallLines> = {};
      for (const ns of r.value.observed.namespaces) {
        filters[ns.name] = {
          filterLines: ns.filterLines ?? [],
          filter6Lines: ns.filter6Lines ?? [],
          mangleLines: ns.mangleLines,
          mangle6Lines: ns.mangle6Lines,
        };
      }
      const before = reachStore.getState();
      if (before.filters && !before.filtersError && JSON.stringify(before.filters) === JSON.stringify(filters)) return;
      reachStore.setState({ filters, filtersError: undefined, filtersReads: (before.filtersReads ?? 0) + 1 });
    } finally {
      reading = undefined;
    }
  })();
  return reading;
}

/** Only named namespaces (and `host`) can ping: the helper enters them by their /run/netns name. */
export const canPingFrom = (ns: string) => !isUnnamedName(ns);
/**
 * A pair the helper will ping: from a named namespace to an address a named one holds
 * (it refuses the whole request otherwise; a container's address is not its to ping).
 */
export const canPing = (p: { from: string; toNamespace?: string }) => canPingFrom(p.from) && (p.toNamespace === undefined || !isUnnamedName(p.toNamespace));

/**
 * Ping these pairs for real through the helper, MAX_PINGS_PER_CALL a call, the
 * progress counted over all of them. `before` runs first (the live view re-reads
 * its filter tables, so the prediction beside the pings is as fresh as they are).
 */
export async function pingPairs(backend: Backend, pairs: { from: string; to: string; toNamespace?: string }[], before?: () => Promise<void>): Promise<void> {
  const todo = pairs.filter(canPing);
  if (!todo.length || reachStore.getState().pinging) return;
  reachStore.setState((st) => ({ pinging: { done: 0, total: todo.length }, pinged: undefined, pingError: undefined, pingRuns: st.pingRuns + 1 }));
  try {
    await before?.();
    for (let i = 0; i < todo.length; i += MAX_PINGS_PER_CALL) {
      const part = todo.slice(i, i + MAX_PINGS_PER_CALL);
      const r = await backend.ping(
        part.map((p) => ({ from: p.from, to: p.to, count: 1, timeoutMs: 1000 })),
        (pr) => reachStore.setState({ pinging: { done: i + pr.done, total: todo.length } }),
      );
      if (!r.ok) return reachStore.setState({ pingError: r.error.message });
      const actual = { ...reachStore.getState().actual };
      for (const o of r.value) actual[pairKey(o.from, o.to)] = o;
      reachStore.setState({ actual });
    }
  } finally {
    reachStore.setState({ pinging: undefined, pinged: reachStore.getState().pinging });
  }
}
