/**
 * Link throughput from two readings of the kernel's counters (pure): bytes and
 * packets per second each way, per link key (`link:NS/IF`), and the sampling
 * interval for a host of a given size. A counter that went backwards (the link was
 * re-created under the same name) gives no rate for that reading.
 */
import type { LinkCounters } from '../discover/netlink';
import type { LinkRate } from '../../shared/protocol/methods';

export type { LinkRate };

export type Reading = Map<string, LinkCounters>;

export function ratesBetween(prev: Reading, next: Reading, dtMs: number): LinkRate[] {
  const out: LinkRate[] = [];
  if (!(dtMs > 0)) return out;
  const per = (a: number, b: number) => ((b - a) * 1000) / dtMs;
  for (const [key, n] of next) {
    const p = prev.get(key);
    if (!p) continue;
    if (n.rxBytes < p.rxBytes || n.txBytes < p.txBytes || n.rxPackets < p.rxPackets || n.txPackets < p.txPackets) continue;
    out.push({
      key,
      rxBps: per(p.rxBytes, n.rxBytes),
      txBps: per(p.txBytes, n.txBytes),
      rxPps: per(p.rxPackets, n.rxPackets),
      txPps: per(p.txPackets, n.txPackets),
    });
  }
  return out;
}

export const MIN_INTERVAL_MS = 1000;
export const MAX_INTERVAL_MS = 10_000;
/** sampling may take at most this share of one core */
const DUTY = 0.02;

/**
 * How often to read: at least once a second; slower as the host grows (2 ms a link
 * more) and whenever one reading took more than 2 % of the interval, so a host of
 * 500 links costs a bounded share of a core whatever the machine.
 */
export function samplingInterval(links: number, lastReadMs: number, minMs = MIN_INTERVAL_MS): number {
  const want = Math.max(minMs, MIN_INTERVAL_MS + 2 * links, lastReadMs / DUTY);
  return Math.round(Math.min(MAX_INTERVAL_MS, want));
}
