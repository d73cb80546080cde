/**
 * The inspector's answer to "can A reach B": two namespaces selected on the
 * canvas (first clicked = where the ping starts), or one namespace and an address
 * typed in. The path is highlighted on the canvas hop by hop, or the failing hop
 * is marked with its reason; the hops there and back are listed with the route,
 * rule or NAT entry each used. Design or live host, as the reachability panel.
 */
import { useState } from 'react';
import { resolveTarget } from '../../shared/reach/matrix';
import { trace } from '../../shared/reach/trace';
import { ReachHighlight } from '../reach/reach-highlight';
import { useReachSource, type ReachSource } from '../reach/use-reach-source';

const NS_PREFIX = 'ns:';
/** the namespace names of a selection that is only namespaces */
export const selectedNamespaces = (selection: string[]) =>
  selection.every((id) => id.startsWith(NS_PREFIX)) ? selection.map((id) => id.slice(NS_PREFIX.length)) : [];

/** Two namespaces selected: A → B (B's first address), with a button to ask the other way. */
export function ReachPair({ a, b }: { a: string; b: string }) {
  const [reverse, setReverse] = useState(false);
  const src = useReachSource(true);
  const [from, to] = reverse ? [b, a] : [a, b];
  return (
    <div className="reach-pair" data-testid="reach-pair-section">
      <div className="panel-title">
        Can {from} reach {to}?{' '}
        <button type="button" data-testid="reach-pair-swap" title="ask the other way" onClick={() => setReverse(!reverse)}>
          ⇄
        </button>
      </div>
      {src && <ReachAnswer src={src} from={from} to={to} />}
    </div>
  );
}

/** One namespace selected: ping an address (or a namespace) typed in. */
export function ReachTo({ from }: { from: string }) {
  const [to, setTo] = useState('');
  const src = useReachSource(to.trim() !== '');
  return (
    <div className="reach-pair">
      <label className="field">
        <span>Can it reach</span>
        <input data-testid="reach-to" placeholder="address or namespace" value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      {src && to.trim() && <ReachAnswer src={src} from={from} to={to.trim()} />}
    </div>
  );
}

function ReachAnswer({ src, from, to }: { src: ReachSource; from: string; to: string }) {
  const addr = resolveTarget(src.net, to);
  if (!addr)
    return (
      <p className="muted" data-testid="reach-pair-none">
        {src.net.namespaces.has(to) ? `${to} has no address to ping` : `${to} is neither an address nor a namespace`}
      </p>
    );
  const r = trace(src.net, from, addr, src.net.namespaces.has(to) ? to : undefined);
  return (
    <div data-testid="reach-pair" data-predicted={r.predicted} data-source={src.source}>
      <ReachHighlight docs={src.docs} result={r} testid="reach-pair-highlight" />
      <p className={`reach-verdict ${r.predicted}`} data-testid="reach-pair-verdict">
        {r.predicted === 'ok' ? `reaches ${addr} and back` : r.predicted === 'fail' ? `does not reach ${addr}` : `cannot tell whether it reaches ${addr}`} (
        {src.source === 'live' ? 'live host' : 'design'})
      </p>
      {r.failure && (
        <p className="reach-failure" data-testid="reach-pair-reason" data-ns={r.failure.ns} data-iface={r.failure.iface ?? ''} data-code={r.failure.code}>
          {r.failure.direction === 'reply' ? 'reply: ' : ''}
          {r.failure.reason}
          <br />
          <em>fix:</em> <span data-testid="reach-pair-fix">{r.failure.fix}</span>
        </p>
      )}
      <ol className="reach-hops">
        {r.hops.map((h, i) => (
          <li key={i} data-testid="reach-pair-hop" data-kind={h.kind} title={h.entry}>
            {h.direction === 'reply' ? '↩ ' : ''}
            {h.ns}: {h.text}
          </li>
        ))}
      </ol>
    </div>
  );
}
