/**
 * Auto-layout with ELK's layered algorithm (elkjs): namespace boxes at their real
 * size, one port per interface at the side and height its handle is drawn (so
 * veths leaving one box are ordered, not bunched), forwarders between their
 * namespaces, laid out left to right from the host, with ELK's orthogonal edge
 * routes kept for drawing (`routes`: they go round boxes, which React Flow's
 * curves do not).
 *
 * A hub (a namespace whose bridge has many members that connect to nothing else,
 * e.g. a host bridge with 200 members) would make one endless column; its leaves
 * are arranged in rings around it, the hub in the middle, and ELK places the whole
 * ring like any node. The positions go into the document's `layout.positions`, so
 * a saved file reopens as it was arranged; the routes are session state.
 */
import type { ELK as Elk, ElkNode, ElkExtendedEdge, ElkPort } from 'elkjs/lib/elk-api';
import type { Topology } from '../../shared/model/schema';
import { HOST_NS } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import { toFlow, type FlowNode, type NamespaceData } from './to-flow';
import { NS_W, portY } from './geometry';
import type { Pos } from './edits';
import { ringAround } from './ring';

/** a namespace with at least this many leaf neighbours is drawn as a hub with its leaves around it */
export const HUB_MIN_LEAVES = 6;

// loaded on first use: ELK is 1.5 MB of the bundle and the editor starts without it
let elk: Promise<Elk> | undefined;
const getElk = () => (elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default()));

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '40',
  'elk.spacing.edgeNode': '20',
  'elk.spacing.edgeEdge': '10',
  'elk.layered.spacing.nodeNodeBetweenLayers': '110',
  'elk.layered.spacing.edgeNodeBetweenLayers': '20',
  'elk.spacing.componentComponent': '80',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

/** An orthogonal route of one edge in flow coordinates, from the React Flow edge's source to its target. */
export type Route = Pos[];

export interface Layout {
  positions: Record<string, Pos>;
  /** veth edge id → ELK's orthogonal route (start, bends, end) */
  routes: Record<string, Route>;
}

interface Link {
  a: string;
  b: string;
  pa?: string;
  pb?: string;
  /** the React Flow edge this link is drawn as, and whether that edge runs b → a */
  edge?: string;
  reversed?: boolean;
}

export async function autoLayout(doc: Topology): Promise<Record<string, Pos>> {
  return (await layoutGraph(doc)).positions;
}

export async function layoutGraph(doc: Topology): Promise<Layout> {
  // sizes and the set of boxes as the canvas draws them (host included, implicit or not)
  const flow = toFlow({ ...doc, layout: undefined });
  const top = flow.nodes.filter((n) => !n.parentId && !/~\d+$/.test(n.id));
  const byId = new Map(top.map((n) => [n.id, n]));
  const links: Link[] = [];
  const ns = (name: string) => nodeId.namespace(name);
  for (const v of doc.veths) {
    // host-ward ends first make the host the root of the drawing
    const [x, y] = v.ends;
    const reversed = y.namespace === HOST_NS;
    const [a, b] = reversed ? [y, x] : [x, y];
    if (a.namespace !== b.namespace)
      links.push({
        a: ns(a.namespace),
        b: ns(b.namespace),
        pa: `${ns(a.namespace)}/${a.name}`,
        pb: `${ns(b.namespace)}/${b.name}`,
        edge: nodeId.veth(x.namespace, x.name),
        reversed,
      });
  }
  for (const f of doc.forwarders) {
    links.push({ a: ns(f.listen.namespace), b: nodeId.forwarder(f.name) });
    links.push({ a: nodeId.forwarder(f.name), b: ns(f.target.namespace) });
  }
  const usable = links.filter((l) => byId.has(l.a) && byId.has(l.b));

  // hubs and their leaves (a leaf touches only its hub)
  const neighbours = new Map<string, Set<string>>();
  for (const l of usable) {
    for (const [p, q] of [
      [l.a, l.b],
      [l.b, l.a],
    ]) {
      let s = neighbours.get(p);
      if (!s) neighbours.set(p, (s = new Set()));
      s.add(q);
    }
  }
  const leafOf = new Map<string, string>(); // leaf → hub
  for (const [hub, around] of neighbours) {
    const leaves = [...around].filter((n) => neighbours.get(n)?.size === 1 && !leafOf.has(n));
    if (leaves.length >= HUB_MIN_LEAVES) for (const l of leaves) leafOf.set(l, hub);
  }
  type Ring = { id: string; hub: FlowNode; leaves: FlowNode[]; ring: ReturnType<typeof ringAround> };
  const rings = new Map<string, Ring>();
  for (const [leaf, hub] of leafOf) {
    let r = rings.get(hub);
    if (!r) rings.set(hub, (r = { id: `ring:${hub}`, hub: byId.get(hub)!, leaves: [], ring: { at: new Map(), width: 0, height: 0 } }));
    r.leaves.push(byId.get(leaf)!);
  }
  for (const r of rings.values()) r.ring = ringAround(r.hub, r.leaves);
  const boxOf = (id: string) => (rings.has(id) ? rings.get(id)!.id : leafOf.has(id) ? rings.get(leafOf.get(id)!)!.id : id);

  // ports where the canvas draws their handles: the host-ward end on the right, the other on the left
  const ports = new Map<string, ElkPort[]>();
  const portIndex = (node: FlowNode, port: string) => ((node.data as NamespaceData).ports ?? []).findIndex((p) => `${node.id}/${p.ifname}` === port);
  const addPort = (node: string, port: string | undefined, side: 'EAST' | 'WEST'): string | undefined => {
    const n = byId.get(node);
    if (!port || !n || n.type !== 'namespace') return undefined;
    const k = portIndex(n, port);
    if (k < 0) return undefined; // a bridge member: its handle is inside the box
    const list = ports.get(node) ?? [];
    ports.set(node, list);
    list.push({ id: port, x: side === 'EAST' ? NS_W : 0, y: portY(k), width: 0, height: 0, layoutOptions: { 'elk.port.side': side } });
    return port;
  };
  const edges: ElkExtendedEdge[] = [];
  const edgeOf = new Map<string, Link>();
  const seen = new Set<string>();
  usable.forEach((l, i) => {
    const a = boxOf(l.a);
    const b = boxOf(l.b);
    if (a === b) return;
    const inRing = a !== l.a || b !== l.b;
    const key = inRing ? `${a}>${b}` : `${i}`;
    if (seen.has(key)) return; // a ring is tied to another box once
    seen.add(key);
    const pa = inRing ? undefined : addPort(a, l.pa, 'EAST');
    const pb = inRing ? undefined : addPort(b, l.pb, 'WEST');
    const id = `e${i}`;
    if (l.edge && pa && pb) edgeOf.set(id, l);
    edges.push({ id, sources: [pa ?? a], targets: [pb ?? b] });
  });

  const children: ElkNode[] = [];
  for (const n of top) {
    if (leafOf.has(n.id) || rings.has(n.id)) continue;
    const p = ports.get(n.id) ?? [];
    children.push({
      id: n.id,
      width: n.width ?? NS_W,
      height: n.height ?? 60,
      ports: p,
      ...(p.length ? { layoutOptions: { 'elk.portConstraints': 'FIXED_POS' } } : {}),
    });
  }
  for (const r of rings.values()) children.push({ id: r.id, width: r.ring.width, height: r.ring.height });

  const out = await (await getElk()).layout({ id: 'root', layoutOptions: OPTIONS, children, edges });
  const positions: Record<string, Pos> = {};
  for (const c of out.children ?? []) {
    const x = Math.round(c.x ?? 0);
    const y = Math.round(c.y ?? 0);
    const ring = c.id.startsWith('ring:') ? rings.get(c.id.slice('ring:'.length)) : undefined;
    if (ring) {
      for (const [id, p] of ring.ring.at) positions[id] = { x: x + p.x, y: y + p.y };
    } else positions[c.id] = { x, y };
  }
  const routes: Record<string, Route> = {};
  for (const e of out.edges ?? []) {
    const l = edgeOf.get(e.id);
    const s = e.sections?.[0];
    if (!l?.edge || !s || (e.sections?.length ?? 0) > 1) continue;
    const pts = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => ({ x: Math.round(p.x), y: Math.round(p.y) }));
    routes[l.edge] = l.reversed ? pts.reverse() : pts;
  }
  return { positions, routes };
}
