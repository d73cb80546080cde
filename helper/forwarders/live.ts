/**
 * Live figures of forwarders as the protocol sends them (`forwarders.list`, the
 * `forwarders` events of `forwarders.subscribe`). The first six fields are what
 * the app's ForwarderStats (shared/backend.ts) reads; the rest add detail.
 */
import type { Forwarder } from '../../shared/model/schema';
import type { ForwarderStatus } from './runtime';

export interface ForwarderLive {
  name: string;
  /** serving now: its agents are alive and listening */
  running: boolean;
  /** active connections (UDP: client sessions) */
  connections: number;
  /** bytes from the target back to clients */
  bytesIn: number;
  /** bytes from clients to the target */
  bytesOut: number;
  /** why it is not serving (bind failed, agent exited…) */
  error?: string;
  state: 'listening' | 'error' | 'stopped';
  /** connections (sessions) accepted since it started */
  total: number;
  /** connections whose target refused or was unreachable (closed cleanly, counted) */
  failedDials: number;
  spec: Forwarder;
}

export function liveOf(f: ForwarderStatus): ForwarderLive {
  const s = f.stats;
  const figures = { connections: s?.active ?? 0, bytesIn: s?.bytesIn ?? 0, bytesOut: s?.bytesOut ?? 0, total: s?.total ?? 0, failedDials: s?.failedDials ?? 0 };
  const base = { name: f.name, spec: f.spec, ...figures };
  if (!f.alive) return { ...base, running: false, state: 'stopped', error: s ? 'one of its agents exited' : 'its agents exited' };
  if (!s) return { ...base, running: false, state: 'error', error: 'not answering' };
  if (s.state !== 'listening') return { ...base, running: false, state: 'error', error: s.reason || s.state };
  return { ...base, running: true, state: 'listening' };
}
