/**
 * One ping's path drawn on the canvas, as a style rule on the canvas's node and
 * edge ids (the canvas components stay as they are): the namespaces and bridges
 * passed outlined and the veth edges crossed drawn in the path colour; the
 * failing hop outlined red with its reason written beside it, and the failing
 * interface's port marked.
 */
import type { Topology } from '../../shared/model/schema';
import { pathIds, type PathIds } from '../../shared/reach/path-ids';
import type { ReachResult } from '../../shared/reach/result';

const quote = (id: string) => `"${id.replace(/["\\]/g, '\\$&')}"`;
/** a CSS string: quotes and backslashes escaped, line breaks as \A */
const cssString = (s: string) => `"${s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\A ')}"`;

/** The path's ids on every document the canvas draws from (live: the host's ends of a veth may be named from either side). */
export function pathIdsOn(docs: Topology[], r: ReachResult): PathIds {
  const all = docs.map((d) => pathIds(d, r));
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { nodes: uniq(all.flatMap((p) => p.nodes)), edges: uniq(all.flatMap((p) => p.edges)), ...(all[0]?.failNode ? { failNode: all[0].failNode } : {}) };
}

/** the reason written under the failing node (a pseudo-element: no canvas component changes) */
const FAIL_NOTE =
  'position: absolute; left: 0; top: 100%; margin-top: 6px; width: max-content; max-width: 320px; white-space: pre-wrap; padding: 3px 6px; border-radius: 4px; background: var(--reach-fail, #d62828); color: #fff; font-size: 11px; line-height: 1.3; z-index: 20; pointer-events: none;';

export function highlightCss(docs: Topology[], r: ReachResult): string {
  const ids = pathIdsOn(docs, r);
  const f = r.failure;
  return [
    ...ids.nodes.map((id) => `.react-flow__node[data-id=${quote(id)}] { outline: 3px solid var(--reach-path, #2a9d4b); outline-offset: 2px; }`),
    ...ids.edges.map((id) => `.react-flow__edge[data-id=${quote(id)}] path { stroke: var(--reach-path, #2a9d4b); stroke-width: 4px; }`),
    ...(ids.failNode && f
      ? [
          `.react-flow__node[data-id=${quote(ids.failNode)}] { outline: 3px solid var(--reach-fail, #d62828); outline-offset: 2px; }`,
          `.react-flow__node[data-id=${quote(ids.failNode)}]::after { content: ${cssString(`${f.direction === 'reply' ? 'reply: ' : ''}${f.reason}`)}; ${FAIL_NOTE} }`,
          ...(f.iface ? [`[data-testid=${quote(`port-${f.ns}/${f.iface}`)}] { outline: 2px solid var(--reach-fail, #d62828); border-radius: 3px; }`] : []),
        ]
      : []),
  ].join('\n');
}

export function ReachHighlight({ docs, result, testid }: { docs: Topology[]; result: ReachResult; testid: string }) {
  return <style data-testid={testid}>{highlightCss(docs, result)}</style>;
}
