/**
 * Reachability on the design: every namespace pinging every other namespace's
 * addresses, predicted by shared/reach before anything is applied ("this design
 * will not reach the gateway"). Selecting a row highlights its path on the
 * canvas hop by hop, or marks the failing hop, and shows the reason and fix.
 * The highlight is a style rule on the canvas's node/edge ids, so the canvas
 * itself stays as it is.
 */
import { useMemo, useState } from 'react';
import { netOfDocument } from '../../shared/reach/from-document';
import { reachMatrix } from '../../shared/reach/matrix';
import { pathIds } from '../../shared/reach/path-ids';
import { useEditor } from '../store/editor-store';

/** Caps the table (a 200-namespace design has 40 000 pairs); the CLI has them all. */
const MAX_ROWS = 2000;

const quote = (id: string) => `"${id.replace(/["\\]/g, '\\$&')}"`;

export function ReachPanel() {
  const doc = useEditor((s) => s.doc);
  const [open, setOpen] = useState(false);
  const [selected, setSelected] = useState<number>();
  const rows = useMemo(() => (open ? reachMatrix(netOfDocument(doc)) : []), [doc, open]);
  const row = selected !== undefined ? rows[selected] : undefined;
  const ids = useMemo(() => (row ? pathIds(doc, row) : undefined), [doc, row]);
  const css = ids
    ? [
        ...ids.nodes.map((id) => `.react-flow__node[data-id=${quote(id)}] { outline: 3px solid var(--reach-path, #2a9d4b); outline-offset: 2px; }`),
        ...ids.edges.map((id) => `.react-flow__edge[data-id=${quote(id)}] path { stroke: var(--reach-path, #2a9d4b); stroke-width: 4px; }`),
        ...(ids.failNode ? [`.react-flow__node[data-id=${quote(ids.failNode)}] { outline: 3px solid var(--reach-fail, #d62828); outline-offset: 2px; }`] : []),
      ].join('\n')
    : '';
  if (!open) {
    return (
      <button type="button" className="reach-toggle" data-testid="reach-open" onClick={() => setOpen(true)}>
        Reachability
      </button>
    );
  }
  const counts = (v: string) => rows.filter((r) => r.predicted === v).length;
  return (
    <section className="reach-panel" aria-label="reachability" data-testid="reach-panel">
      {css && <style data-testid="reach-highlight">{css}</style>}
      <header>
        <strong>Reachability (design)</strong> {rows.length} pairs: {counts('ok')} ok, {counts('fail')} fail, {counts('unknown')} unknown
        <button type="button" aria-label="close" data-testid="reach-close" onClick={() => (setOpen(false), setSelected(undefined))}>
          ✕
        </button>
      </header>
      {row?.failure && (
        <p className="reach-failure" data-testid="reach-failure">
          {row.failure.direction === 'reply' ? 'reply: ' : ''}
          {row.failure.reason}
          <br />
          <em>fix:</em> {row.failure.fix}
        </p>
      )}
      <div className="reach-rows">
        <table>
          <tbody>
            {rows.slice(0, MAX_ROWS).map((r, i) => (
              <tr key={i} className={`${r.predicted}${i === selected ? ' selected' : ''}`} data-testid="reach-row" data-from={r.from} data-to={r.to} data-predicted={r.predicted} onClick={() => setSelected(i === selected ? undefined : i)}>
                <td>{r.from}</td>
                <td>
                  {r.to}
                  {r.toNamespace ? ` (${r.toNamespace})` : ''}
                </td>
                <td>{r.predicted}</td>
                <td>{r.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length > MAX_ROWS && <p>first {MAX_ROWS} of {rows.length} pairs; `netns-studio reach FILE` lists them all</p>}
      </div>
    </section>
  );
}
