/**
 * Live figures of forwarders as the protocol sends them (`forwarders.list`, the
 * `forwarders` events of `forwarders.subscribe`): the app's ForwarderStats
 * (shared/backend.ts) plus detail.
 */
import type { ForwarderLive } from '../../shared/protocol/methods';
import type { ForwarderStatus } from './runtime';

export type { ForwarderLive };

export function liveOf(f: ForwarderStatus): ForwarderLive {
  const s = f.stats;
  const figures = { connections: s?.active ?? 0, bytesIn: s?.bytesIn ?? 0, bytesOut: s?.bytesOut ?? 0, total: s?.total ?? 0, failedDials: s?.failedDials ?? 0 };
  const base = { name: f.name, spec: f.spec, ...figures };
  if (!f.alive) return { ...base, running: false, state: 'stopped', error: s ? 'one of its agents exited' : 'its agents exited' };
  if (!s) return { ...base, running: false, state: 'error', error: 'not answering' };
  if (s.state !== 'listening') return { ...base, running: false, state: 'error', error: s.reason || s.state };
  return { ...base, running: true, state: 'listening' };
}
