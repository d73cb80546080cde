/**
 * Auto-layout with ELK's layered algorithm (elkjs): namespace boxes at their real
 * size, one port per interface (so veths leaving one box are ordered, not bunched),
 * forwarders between their namespaces, laid out left to right from the host.
 *
 * A hub (a namespace with many neighbours that connect to nothing else, e.g. a
 * host bridge with 200 members) would make one endless column; its leaves are
 * packed as one block, a grid beside the hub, which ELK places like any node.
 * The result goes into the document's `layout.positions`, so a saved file
 * reopens as it was arranged.
 */
import type { ELK as Elk, ElkNode, ElkExtendedEdge } from 'elkjs/lib/elk-api';
import type { Topology } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import { toFlow, type FlowNode } from './to-flow';
import type { Pos } from './edits';

/** a namespace with at least this many leaf neighbours is drawn as a hub with its leaves in a block */
export const HUB_MIN_LEAVES = 6;
const GAP_X = 60;
const GAP_Y = 40;
const BLOCK_ASPECT = 4 / 3;

// loaded on first use: ELK is 1.5 MB of the bundle and the editor starts without it
let elk: Promise<Elk> | undefined;
const getElk = () => (elk ??= import('elkjs/lib/elk.bundled.js').then((m) => new m.default()));

const OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.spacing.nodeNode': '40',
  'elk.layered.spacing.nodeNodeBetweenLayers': '110',
  'elk.spacing.componentComponent': '80',
  'elk.portConstraints': 'FREE',
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
};

interface Link {
  a: string;
  b: string;
  pa?: string;
  pb?: string;
}

/** The leaves of `hub` packed in a grid: offsets from the block's corner, and the block's size. */
function packGrid(leaves: FlowNode[]): { at: Map<string, Pos>; width: number; height: number } {
  // about as wide as a screen is (4:3), counting the boxes' real size (they are wide and low)
  const w = (leaves[0]?.width ?? 250) + GAP_X;
  const h = Math.max(...leaves.map((n) => n.height ?? 60)) + GAP_Y;
  const cols = Math.max(1, Math.round(Math.sqrt((leaves.length * h * BLOCK_ASPECT) / w)));
  const at = new Map<string, Pos>();
  let y = 0;
  let width = 0;
  for (let r = 0; r * cols < leaves.length; r++) {
    const row = leaves.slice(r * cols, (r + 1) * cols);
    const h = Math.max(...row.map((n) => n.height ?? 60));
    row.forEach((n, c) => at.set(n.id, { x: c * ((n.width ?? 250) + GAP_X), y }));
    width = Math.max(width, row.reduce((w, n) => w + (n.width ?? 250) + GAP_X, -GAP_X));
    y += h + GAP_Y;
  }
  return { at, width, height: Math.max(0, y - GAP_Y) };
}

export async function autoLayout(doc: Topology): Promise<Record<string, Pos>> {
  // sizes and the set of boxes as the canvas draws them (host included, implicit or not)
  const flow = toFlow({ ...doc, layout: undefined });
  const top = flow.nodes.filter((n) => !n.parentId && !/~\d+$/.test(n.id));
  const byId = new Map(top.map((n) => [n.id, n]));
  const links: Link[] = [];
  const ns = (name: string) => nodeId.namespace(name);
  for (const v of doc.veths) {
    // host-ward ends first make the host the root of the drawing
    const [x, y] = v.ends;
    const [a, b] = y.namespace === 'host' ? [y, x] : [x, y];
    if (a.namespace !== b.namespace) links.push({ a: ns(a.namespace), b: ns(b.namespace), pa: `${ns(a.namespace)}/${a.name}`, pb: `${ns(b.namespace)}/${b.name}` });
  }
  for (const f of doc.forwarders) {
    links.push({ a: ns(f.listen.namespace), b: nodeId.forwarder(f.name) });
    links.push({ a: nodeId.forwarder(f.name), b: ns(f.target.namespace) });
  }
  const usable = links.filter((l) => byId.has(l.a) && byId.has(l.b));

  // hubs and their leaves (a leaf touches only its hub)
  const neighbours = new Map<string, Set<string>>();
  for (const l of usable) {
    for (const [p, q] of [[l.a, l.b], [l.b, l.a]]) {
      let s = neighbours.get(p);
      if (!s) neighbours.set(p, (s = new Set()));
      s.add(q);
    }
  }
  const leafOf = new Map<string, string>(); // leaf → hub
  for (const [hub, around] of neighbours) {
    const leaves = [...around].filter((n) => neighbours.get(n)?.size === 1);
    if (leaves.length >= HUB_MIN_LEAVES) for (const l of leaves) leafOf.set(l, hub);
  }
  type Block = { id: string; leaves: FlowNode[]; grid: ReturnType<typeof packGrid> };
  const blocks = new Map<string, Block>();
  for (const [leaf, hub] of leafOf) {
    const b: Block = blocks.get(hub) ?? { id: `block:${hub}`, leaves: [], grid: { at: new Map<string, Pos>(), width: 0, height: 0 } };
    b.leaves.push(byId.get(leaf)!);
    blocks.set(hub, b);
  }
  for (const b of blocks.values()) b.grid = packGrid(b.leaves);

  const ports = new Map<string, Set<string>>();
  const addPort = (node: string, port?: string) => {
    if (!port) return undefined;
    let s = ports.get(node);
    if (!s) ports.set(node, (s = new Set()));
    s.add(port);
    return port;
  };
  const edges: ElkExtendedEdge[] = [];
  const seen = new Set<string>();
  usable.forEach((l, i) => {
    const a = leafOf.has(l.a) ? blocks.get(leafOf.get(l.a)!)!.id : l.a;
    const b = leafOf.has(l.b) ? blocks.get(leafOf.get(l.b)!)!.id : l.b;
    if (a === b) return;
    const inBlock = a !== l.a || b !== l.b;
    const key = inBlock ? `${a}>${b}` : `${i}`;
    if (seen.has(key)) return; // a block is tied to its hub once
    seen.add(key);
    const pa = inBlock ? undefined : addPort(a, l.pa);
    const pb = inBlock ? undefined : addPort(b, l.pb);
    edges.push({ id: `e${i}`, sources: [pa ?? a], targets: [pb ?? b] });
  });

  const children: ElkNode[] = [];
  for (const n of top) {
    if (leafOf.has(n.id)) continue;
    children.push({ id: n.id, width: n.width ?? 250, height: n.height ?? 60, ports: [...(ports.get(n.id) ?? [])].map((id) => ({ id, width: 4, height: 4 })) });
  }
  for (const b of blocks.values()) children.push({ id: b.id, width: b.grid.width, height: b.grid.height });

  const out = await (await getElk()).layout({ id: 'root', layoutOptions: OPTIONS, children, edges });
  const result: Record<string, Pos> = {};
  for (const c of out.children ?? []) {
    const x = Math.round(c.x ?? 0);
    const y = Math.round(c.y ?? 0);
    const hub = c.id.startsWith('block:') ? c.id.slice('block:'.length) : undefined;
    if (hub) {
      for (const [leaf, p] of blocks.get(hub)!.grid.at) result[leaf] = { x: x + p.x, y: y + p.y };
    } else result[c.id] = { x, y };
  }
  return result;
}
