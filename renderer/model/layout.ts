/**
 * Auto-layout with dagre: namespaces (at their real size) and forwarders are laid
 * out left to right along veths and forwarder legs. The result goes into the
 * document's `layout.positions`, so a saved file reopens as it was arranged.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { Topology } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import { toFlow } from './to-flow';
import type { Pos } from './edits';

export function autoLayout(doc: Topology): Record<string, Pos> {
  // sizes and namespace set as the canvas draws them (host included, implicit or not)
  const flow = toFlow({ ...doc, layout: undefined });
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 110, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const top = flow.nodes.filter((n) => !n.parentId);
  for (const n of top) g.setNode(n.id, { width: n.width ?? 200, height: n.height ?? 60 });
  const link = (a: string, b: string) => {
    if (a !== b && g.hasNode(a) && g.hasNode(b) && !g.hasEdge(a, b) && !g.hasEdge(b, a)) g.setEdge(a, b);
  };
  // host-ward edges first make the host the root of the drawing
  for (const v of doc.veths) {
    const [x, y] = v.ends;
    const [a, b] = y.namespace === 'host' ? [y, x] : [x, y];
    link(nodeId.namespace(a.namespace), nodeId.namespace(b.namespace));
  }
  for (const f of doc.forwarders) {
    link(nodeId.namespace(f.listen.namespace), nodeId.forwarder(f.name));
    link(nodeId.forwarder(f.name), nodeId.namespace(f.target.namespace));
  }
  layout(g);
  const out: Record<string, Pos> = {};
  for (const n of top) {
    const p = g.node(n.id);
    if (!p) continue;
    // dagre gives centres; React Flow wants top-left corners. Ids with a `~N` suffix are duplicates: skip.
    if (/~\d+$/.test(n.id)) continue;
    out[n.id] = { x: Math.round(p.x - (n.width ?? 0) / 2), y: Math.round(p.y - (n.height ?? 0) / 2) };
  }
  return out;
}
