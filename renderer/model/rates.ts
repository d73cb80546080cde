/**
 * Live throughput as the canvas shows it (pure): the rates of one sampling
 * interval merged into the last known per link, a short history per link for the
 * inspector's sparkline, and how an edge looks at a rate (width by decade, a label).
 */
import type { LinkRate, LinkRates } from '../../shared/backend';

/** samples kept per link for the sparkline */
export const HISTORY = 30;

export interface RatesView {
  /** link key → its rate now (links not listed are idle) */
  now: Record<string, LinkRate>;
  /** link key → bits per second, both ways, oldest first (only links that moved) */
  history: Record<string, number[]>;
  intervalMs?: number;
}

export const bitsPerSecond = (r: LinkRate | undefined) => (r ? (r.rxBps + r.txBps) * 8 : 0);

export function mergeRates(prev: RatesView, ev: LinkRates): RatesView {
  const now: Record<string, LinkRate> = {};
  for (const r of ev.rates) if (r.rxBps || r.txBps) now[r.key] = r;
  const history: Record<string, number[]> = {};
  for (const key of new Set([...Object.keys(prev.history), ...Object.keys(now)])) {
    const h = [...(prev.history[key] ?? []), bitsPerSecond(now[key])].slice(-HISTORY);
    if (h.some((x) => x > 0)) history[key] = h;
  }
  return { now, history, intervalMs: ev.intervalMs };
}

/** `941 Mbit/s` */
export function formatBits(bps: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'Tbit/s'];
  let v = bps;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) ((v /= 1000), u++);
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

/** One end's rate in words: `→ 300 Mbit/s, 25k pkt/s · ← 1.2 Mbit/s` (tx is away from this end). */
export function rateText(r: LinkRate): string {
  const pk = (p: number) => (p >= 1000 ? `${(p / 1000).toFixed(1)}k` : String(Math.round(p)));
  return `→ ${formatBits(r.txBps * 8)}, ${pk(r.txPps)} pkt/s · ← ${formatBits(r.rxBps * 8)}, ${pk(r.rxPps)} pkt/s`;
}

/** edge stroke width: 1.5 px idle, one px more per decade above 10 kbit/s, at most 7 */
export function rateWidth(bps: number): number {
  if (bps < 10_000) return 1.5;
  return Math.min(7, 1.5 + Math.log10(bps / 10_000) + 1);
}
