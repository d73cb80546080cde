/**
 * Live throughput drawn over a veth edge: a second stroke along the same path,
 * wider by decade of bits per second and tinted, with the rate in words on hover
 * (its <title>). Its own component with its own store subscription, so a rates
 * event repaints only the overlays of links that move, never the edge beneath.
 */
import { memo } from 'react';
import { objectKey } from '../../shared/model/ids';
import { parseId } from '../model/doc-ids';
import { bitsPerSecond, formatBits, rateText, rateWidth } from '../model/rates';
import { useLive } from '../store/live-store';

/** The link whose counters give a veth edge's throughput: end A's (tx is A → B), from the edge's id `veth:NS/IF`. */
export function rateKeyOfEdge(edgeId: string): string | undefined {
  const p = parseId(edgeId);
  return p?.kind === 'veth' ? objectKey.link(p.ns, p.ifname) : undefined;
}

export const EdgeRate = memo(function EdgeRate({ edgeId, path }: { edgeId: string; path: string }) {
  const key = rateKeyOfEdge(edgeId);
  const rate = useLive((s) => (s.enabled && key ? s.rates.now[key] : undefined));
  if (!rate) return null;
  const bps = bitsPerSecond(rate);
  return (
    <path
      className="edge-rate"
      d={path}
      data-testid={`edge-rate-${edgeId}`}
      data-bps={Math.round(bps)}
      style={{ strokeWidth: rateWidth(bps) }}
      aria-label={formatBits(bps)}
    >
      <title>{`${formatBits(bps)}\n${rateText(rate)}`}</title>
    </path>
  );
});
