/**
 * Hooks for bench/canvas.ts (only installed with `?bench=N`): the React Flow
 * instance (to pan) and one simulated live event (a link going down), applied
 * the way each variant would apply it.
 */
import type { ReactFlowInstance } from '@xyflow/react';
import { objectKey } from '../shared/model/ids';
import { liveStore, setLinkUp } from './store/live-store';

export interface BenchApi {
  rf?: ReactFlowInstance;
  /** the graph the canvas derived (all nodes and edges, also those it draws on a canvas), for the baseline of bench/canvas-live.ts */
  graph?: { nodes: unknown[]; edges: unknown[] };
  liveEvent(i: number, up: boolean): void;
}

declare global {
  interface Window {
    __bench?: BenchApi;
    /** what bench/canvas-live.ts hands the baseline (`?bench=graph&baseline=1`) */
    __benchGraph?: { nodes: unknown[]; edges: unknown[] };
  }
}

export function installBenchHooks(): void {
  liveStore.setState({ enabled: true });
  window.__bench = {
    liveEvent(i: number, up: boolean) {
      setLinkUp(objectKey.link(`n${i}`, 'eth0'), up);
    },
  };
}

export function setBenchFlow(rf: ReactFlowInstance, liveEvent?: (i: number, up: boolean) => void): void {
  window.__bench = { ...(window.__bench ?? { liveEvent: () => {} }), rf, ...(liveEvent ? { liveEvent } : {}) };
}

/** The canvas notes what it derived, only when a bench is listening (window.__bench set). */
export function noteBenchGraph(nodes: unknown[], edges: unknown[]): void {
  if (window.__bench) window.__bench.graph = { nodes, edges };
}
