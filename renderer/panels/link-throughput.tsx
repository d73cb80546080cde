/**
 * Live throughput in the inspector: for a selected veth its rate now (both
 * ways, bits and packets per second) and a sparkline of the last samples; for a
 * namespace the same, smaller, for each of its links that moved. From the
 * helper's `rates` events (model/rates.ts keeps the history).
 */
import { objectKey } from '../../shared/model/ids';
import { parseId } from '../model/doc-ids';
import { HISTORY, bitsPerSecond, formatBits, rateText } from '../model/rates';
import { useLive } from '../store/live-store';

const W = 200;
const H = 36;

/** Bits per second over the last samples, oldest first, scaled to its own peak. */
export function Sparkline({ samples, label }: { samples: number[]; label: string }) {
  const peak = Math.max(...samples, 1);
  const step = W / (HISTORY - 1);
  // right-aligned: the newest sample at the right edge, whatever the history's length
  const x0 = W - (samples.length - 1) * step;
  const pts = samples.map((v, i) => `${(x0 + i * step).toFixed(1)},${(H - 2 - (v / peak) * (H - 4)).toFixed(1)}`);
  return (
    <svg
      className="link-rate-spark"
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="link-rate-spark"
      data-samples={samples.length}
      data-peak={Math.round(peak)}
    >
      {pts.length > 1 && <polygon points={`${x0.toFixed(1)},${H} ${pts.join(' ')} ${W},${H}`} />}
      <polyline points={pts.join(' ')} />
    </svg>
  );
}

function LinkRateRow({ linkKey, title }: { linkKey: string; title: string }) {
  const rate = useLive((s) => s.rates.now[linkKey]);
  const history = useLive((s) => s.rates.history[linkKey]);
  const bps = bitsPerSecond(rate);
  return (
    <div className="link-rate" data-testid={`link-rate-${linkKey}`} data-bps={Math.round(bps)}>
      <div>
        {title}: <b>{formatBits(bps)}</b> <span className="muted">{rate ? rateText(rate) : 'idle'}</span>
      </div>
      {history && <Sparkline samples={history} label={`${title}: peak ${formatBits(Math.max(...history))} over the last ${history.length} samples`} />}
    </div>
  );
}

export function LinkThroughput({ id }: { id: string }) {
  const p = parseId(id);
  const interval = useLive((s) => s.rates.intervalMs);
  const nsLinks = useLive((s) =>
    p?.kind === 'namespace'
      ? Object.keys(s.rates.history)
          .filter((k) => k.startsWith(objectKey.link(p.ns, '')))
          .sort()
          .join('\n')
      : '',
  );
  if (!p || interval === undefined) return null;
  const every = `sampled every ${(interval / 1000).toFixed(1)} s`;
  if (p.kind === 'veth') {
    return (
      <section className="live-details" data-testid="link-throughput">
        <div className="panel-title">
          Throughput <span className="muted">· {every}</span>
        </div>
        <LinkRateRow linkKey={objectKey.link(p.ns, p.ifname)} title={p.ifname} />
      </section>
    );
  }
  if (p.kind !== 'namespace' || !nsLinks) return null;
  return (
    <section className="live-details" data-testid="link-throughput">
      <div className="panel-title">
        Throughput <span className="muted">· {every}</span>
      </div>
      {nsLinks.split('\n').map((k) => (
        <LinkRateRow key={k} linkKey={k} title={k.slice(objectKey.link(p.ns, '').length)} />
      ))}
    </section>
  );
}
