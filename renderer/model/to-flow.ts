/**
 * Document → React Flow nodes and edges. A namespace is a box whose ports are its
 * veth ends; bridges and VRFs are child nodes inside it (`parentId`); a veth is an
 * edge between two ports, or a port and a bridge when the end is a bridge member;
 * a forwarder is a node with dashed edges from its listening to its target namespace.
 *
 * `createFlowDeriver()` keeps the previous output and hands back the very same
 * node/edge object when nothing about it changed, so memoized nodes skip rendering
 * and React Flow does not re-adopt 2000 nodes for a one-field edit.
 */
import type { Edge, Node } from '@xyflow/react';
import { HOST_NS } from '../../shared/model/schema';
import type { Topology } from '../../shared/model/schema';
import { nodeId, objectKey } from '../../shared/model/ids';
import { BR_H, BR_W, CONNECT_HANDLE, CONNECT_Y, FW_H, FW_W, NS_W, childY, memberChip, namespaceHeight, portY, COMPACT_H } from './geometry';
import type { Pos } from './edits';
import { overviewLine, type Box } from './overview-line';

export interface PortView {
  ns: string;
  ifname: string;
  addresses: string[];
  up: boolean;
  mtu?: number;
  /** `link:NS/IF`, the key live state is kept under */
  key: string;
  /** `ns/ifname` of the other end */
  peer: string;
}

export interface NamespaceData extends Record<string, unknown> {
  name: string;
  /** the host box drawn although the document does not list `host` */
  implicit: boolean;
  ports: PortView[];
  /** link keys of all its ports (the compact node shows "something is down" from these) */
  portKeys: string[];
  loopbackUp: boolean;
  /** short facts: routes, NAT, DNS, forwarding */
  facts: string[];
  /** a second declaration of a name already drawn (drawn, not dropped, so its problem can be pointed at) */
  duplicate?: boolean;
  /** the first problem the validator found on this object */
  problem?: string;
}

export interface BridgeData extends Record<string, unknown> {
  problem?: string;
  ns: string;
  name: string;
  addresses: string[];
  up: boolean;
  members: PortView[];
  key: string;
}

export interface VrfData extends Record<string, unknown> {
  ns: string;
  name: string;
  table: number;
  up: boolean;
  key: string;
}

export interface ForwarderData extends Record<string, unknown> {
  problem?: string;
  name: string;
  protocol: string;
  listen: string;
  target: string;
}

export type FlowNode =
  Node<NamespaceData, 'namespace'> | Node<NamespaceData, 'compact'> | Node<BridgeData, 'bridge'> | Node<VrfData, 'vrf'> | Node<ForwarderData, 'forwarder'>;

export interface VethEdgeData extends Record<string, unknown> {
  kind: 'veth' | 'forward';
  problem?: string;
}
export type FlowEdge = Edge<VethEdgeData>;

export interface Flow {
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** absolute centre of every namespace/bridge/forwarder node, for the compact edge overlay and search */
  centers: Map<string, Pos>;
  /** the overview layer's lines: one polyline per veth (along its route while fresh, model/overview-line.ts) and per forwarder leg */
  lines: Pos[][];
  /** how many veths of `lines` follow their route (the rest are straight) */
  routedLines: number;
}

const COL_W = NS_W + 90;
const ROW_GAP = 50;

export interface DeriveOptions {
  selection?: ReadonlySet<string>;
  /** compact level of detail: no ports, no child nodes, no React Flow edges (drawn by the overlay) */
  compact?: boolean;
  /** canvas id → problem message (model/problems.ts): those nodes are marked */
  problems?: ReadonlyMap<string, string>;
  /**
   * draw a namespace the document declares twice as its own box (the editor, so its
   * problem can be pointed at); off for merged live pictures, where one name from
   * both sides is one namespace
   */
  duplicates?: boolean;
  /** the last auto-layout's orthogonal veth routes (edge id → points): the overview's lines follow them */
  routes?: Readonly<Record<string, readonly Pos[]>>;
}

interface Attach {
  node: string;
  /** the interface's own handle: a port row of a namespace (`l:IF`/`r:IF`) or a member chip of a bridge (`m:IF`) */
  handle: { member: boolean; ifname: string };
  /** absolute point, for the overlay */
  at: Pos;
  /** the box as drawn, and the full-size handle points a route may end at (model/overview-line.ts) */
  box: Box;
  handles: Pos[];
}

/** Pure derivation without caching (tests, export). */
export function toFlow(doc: Topology, opts: DeriveOptions = {}): Flow {
  const selection = opts.selection ?? new Set<string>();
  const compact = !!opts.compact;
  const positions = doc.layout?.positions ?? {};

  // namespaces, the host first (drawn even when the document does not list it)
  const nsNames: string[] = [];
  const seenNs = new Set<string>();
  // the host is always drawn: it is where most veths end and bridges live
  const hostUsed = true;
  if (hostUsed) {
    nsNames.push(HOST_NS);
    seenNs.add(HOST_NS);
  }
  for (const n of doc.namespaces) if (!seenNs.has(n.name)) (seenNs.add(n.name), nsNames.push(n.name));
  // ends naming a namespace nobody declared still get a box, so nothing silently disappears
  for (const v of doc.veths) for (const e of v.ends) if (!seenNs.has(e.namespace)) (seenNs.add(e.namespace), nsNames.push(e.namespace));
  for (const b of doc.bridges) if (!seenNs.has(b.namespace)) (seenNs.add(b.namespace), nsNames.push(b.namespace));

  const bridgesIn = new Map<string, typeof doc.bridges>();
  for (const b of doc.bridges) bridgesIn.set(b.namespace, [...(bridgesIn.get(b.namespace) ?? []), b]);
  const bridgeSet = new Set(doc.bridges.map((b) => `${b.namespace}/${b.name}`));
  const portsIn = new Map<string, PortView[]>();
  const membersOf = new Map<string, PortView[]>();
  for (const v of doc.veths) {
    v.ends.forEach((e, i) => {
      const other = v.ends[1 - i];
      const pv: PortView = {
        ns: e.namespace,
        ifname: e.name,
        addresses: e.addresses,
        up: e.up,
        mtu: e.mtu,
        key: objectKey.link(e.namespace, e.name),
        peer: `${other.namespace}/${other.name}`,
      };
      const br = e.master && bridgeSet.has(`${e.namespace}/${e.master}`) ? `${e.namespace}/${e.master}` : undefined;
      if (br) membersOf.set(br, [...(membersOf.get(br) ?? []), pv]);
      else portsIn.set(e.namespace, [...(portsIn.get(e.namespace) ?? []), pv]);
    });
  }
  const nsObj = new Map(doc.namespaces.map((n) => [n.name, n]));

  const nodes: FlowNode[] = [];
  const centers = new Map<string, Pos>();
  const attach = new Map<string, Attach>(); // `ns/ifname` → where its edge ends
  const usedIds = new Set<string>();
  const unique = (id: string) => {
    let u = id;
    for (let k = 2; usedIds.has(u); k++) u = `${id}~${k}`;
    usedIds.add(u);
    return u;
  };

  // boxes without a saved position go on a grid below those with one, never on top of them
  const unplaced = nsNames.filter((n) => !positions[nodeId.namespace(n)]).length;
  const cols = Math.max(1, Math.ceil(Math.sqrt(unplaced)));
  let below = 0;
  let anyPlaced = false;
  for (const [id, p] of Object.entries(positions))
    if (id.startsWith('ns:')) {
      anyPlaced = true;
      below = Math.max(below, p.y + 400);
    }
  const colY = new Array<number>(cols).fill(anyPlaced ? below : 0);
  let gridIndex = 0;
  const drawnAt = new Map<string, Pos>();
  nsNames.forEach((name) => {
    const ports = portsIn.get(name) ?? [];
    const bridges = bridgesIn.get(name) ?? [];
    const ns = nsObj.get(name);
    const vrfs = ns?.vrfs ?? [];
    const children = bridges.length + vrfs.length;
    const height = compact ? COMPACT_H : namespaceHeight(ports.length, children);
    const fullHeight = namespaceHeight(ports.length, children);
    const id = unique(nodeId.namespace(name));
    let pos = positions[nodeId.namespace(name)];
    if (!pos) {
      const col = gridIndex++ % cols;
      pos = { x: col * COL_W, y: colY[col] };
      colY[col] += fullHeight + ROW_GAP;
    }
    const facts: string[] = [];
    if (ns) {
      if (ns.routes.length) facts.push(`${ns.routes.length} route${ns.routes.length > 1 ? 's' : ''}`);
      if (ns.nat.length) facts.push(`NAT ${ns.nat.length}`);
      if (ns.dns) facts.push('DNS');
      if (ns.sysctls['net.ipv4.ip_forward'] === '1') facts.push('fwd');
    }
    const problem = opts.problems?.get(id);
    const data: NamespaceData = {
      name,
      implicit: !ns,
      ports: compact ? [] : ports,
      portKeys: compact ? ports.map((p) => p.key) : [],
      loopbackUp: ns ? ns.loopback === 'up' : true,
      facts,
      ...(problem ? { problem } : {}),
    };
    drawnAt.set(name, pos);
    const handles = compact
      ? []
      : [
          // the header's connection handles: a veth can be drawn from a namespace that has no port yet
          {
            id: 'nl',
            type: 'source' as const,
            position: 'left' as const,
            x: -CONNECT_HANDLE / 2,
            y: CONNECT_Y - CONNECT_HANDLE / 2,
            width: CONNECT_HANDLE,
            height: CONNECT_HANDLE,
          },
          {
            id: 'nr',
            type: 'source' as const,
            position: 'right' as const,
            x: NS_W - CONNECT_HANDLE / 2,
            y: CONNECT_Y - CONNECT_HANDLE / 2,
            width: CONNECT_HANDLE,
            height: CONNECT_HANDLE,
          },
          ...ports.flatMap((p, k) => [
            { id: `l:${p.ifname}`, type: 'source' as const, position: 'left' as const, x: -4, y: portY(k) - 4, width: 8, height: 8 },
            { id: `r:${p.ifname}`, type: 'source' as const, position: 'right' as const, x: NS_W - 4, y: portY(k) - 4, width: 8, height: 8 },
          ]),
        ];
    nodes.push({
      id,
      type: compact ? 'compact' : 'namespace',
      position: pos,
      data,
      width: NS_W,
      height,
      // pre-measured: React Flow skips its measuring pass and counts the node as initialized
      measured: { width: NS_W, height },
      handles,
      selected: selection.has(id),
      ...(compact ? {} : { style: { zIndex: 0 } }),
    } as FlowNode);
    centers.set(id, { x: pos.x + NS_W / 2, y: pos.y + height / 2 });
    const box = { x: pos.x, y: pos.y, w: NS_W, h: height };
    ports.forEach((p, k) =>
      attach.set(`${name}/${p.ifname}`, {
        node: id,
        handle: { member: false, ifname: p.ifname },
        at: compact ? { x: pos.x + NS_W / 2, y: pos.y + height / 2 } : { x: pos.x + NS_W, y: pos.y + portY(k) },
        box,
        handles: [
          { x: pos.x, y: pos.y + portY(k) },
          { x: pos.x + NS_W, y: pos.y + portY(k) },
        ],
      }),
    );

    [...bridges.map((b) => ({ kind: 'bridge' as const, b })), ...vrfs.map((v) => ({ kind: 'vrf' as const, v }))].forEach((c, k) => {
      const y = childY(ports.length, k);
      if (c.kind === 'bridge') {
        const b = c.b;
        const cid = unique(nodeId.bridge(name, b.name));
        const at = compact ? centers.get(id)! : { x: pos.x + NS_W / 2, y: pos.y + y + BR_H / 2 };
        const members = membersOf.get(`${name}/${b.name}`) ?? [];
        // each member's veth leaves its own chip, not one shared dot
        const chips = members.map((_, k) => memberChip(k, members.length));
        members.forEach((m, k) =>
          // (routes never end at a member: layout.ts ties a hub's ring as a whole)
          attach.set(`${name}/${m.ifname}`, {
            node: cid,
            handle: { member: true, ifname: m.ifname },
            at: compact ? at : { x: pos.x + 10 + chips[k].x + chips[k].width / 2, y: pos.y + y + BR_H },
            box,
            handles: [],
          }),
        );
        if (compact) return;
        const bproblem = opts.problems?.get(cid);
        const bd: BridgeData = {
          ns: name,
          name: b.name,
          addresses: b.addresses,
          up: b.up,
          members,
          key: objectKey.link(name, b.name),
          ...(bproblem ? { problem: bproblem } : {}),
        };
        nodes.push({
          id: cid,
          type: 'bridge',
          parentId: id,
          extent: 'parent',
          draggable: false,
          position: { x: 10, y },
          data: bd,
          width: BR_W,
          height: BR_H,
          measured: { width: BR_W, height: BR_H },
          handles: [
            {
              id: 'bl',
              type: 'source',
              position: 'left',
              x: -CONNECT_HANDLE / 2,
              y: BR_H / 2 - CONNECT_HANDLE / 2,
              width: CONNECT_HANDLE,
              height: CONNECT_HANDLE,
            },
            {
              id: 'br',
              type: 'source',
              position: 'right',
              x: BR_W - CONNECT_HANDLE / 2,
              y: BR_H / 2 - CONNECT_HANDLE / 2,
              width: CONNECT_HANDLE,
              height: CONNECT_HANDLE,
            },
            ...members.map((m, k) => ({
              id: `m:${m.ifname}`,
              type: 'source' as const,
              position: 'bottom' as const,
              x: chips[k].x + chips[k].width / 2 - 4,
              y: BR_H - 4,
              width: 8,
              height: 8,
            })),
          ],
          selected: selection.has(cid),
        } as FlowNode);
        centers.set(cid, at);
      } else if (!compact) {
        const v = c.v;
        const cid = unique(nodeId.vrf(name, v.name));
        nodes.push({
          id: cid,
          type: 'vrf',
          parentId: id,
          extent: 'parent',
          draggable: false,
          position: { x: 10, y },
          data: { ns: name, name: v.name, table: v.table, up: v.up, key: objectKey.link(name, v.name) },
          width: NS_W - 20,
          height: BR_H,
          measured: { width: NS_W - 20, height: BR_H },
          selected: selection.has(cid),
        } as FlowNode);
      }
    });
  });

  // a name declared twice: its second box sits just below-right of the first, marked (the validator says why)
  const declared = new Map<string, number>();
  for (const n of opts.duplicates ? doc.namespaces : []) {
    const k = (declared.get(n.name) ?? -1) + 1;
    declared.set(n.name, k);
    if (k === 0) continue;
    const first = drawnAt.get(n.name) ?? { x: 0, y: 0 };
    const pos = { x: first.x + 28 * k, y: first.y + 28 * k };
    const id = unique(nodeId.namespace(n.name));
    const height = compact ? COMPACT_H : namespaceHeight(0, 0);
    const problem = opts.problems?.get(id);
    const data: NamespaceData = {
      name: n.name,
      implicit: false,
      ports: [],
      portKeys: [],
      loopbackUp: n.loopback === 'up',
      facts: [],
      duplicate: true,
      ...(problem ? { problem } : {}),
    };
    nodes.push({
      id,
      type: compact ? 'compact' : 'namespace',
      position: pos,
      data,
      width: NS_W,
      height,
      measured: { width: NS_W, height },
      handles: [],
      selected: selection.has(id),
    } as FlowNode);
    centers.set(id, { x: pos.x + NS_W / 2, y: pos.y + height / 2 });
  }

  const edges: FlowEdge[] = [];
  const lines: Pos[][] = [];
  let routedLines = 0;
  for (const v of doc.veths) {
    const [a, b] = v.ends;
    const sa = attach.get(`${a.namespace}/${a.name}`);
    const sb = attach.get(`${b.namespace}/${b.name}`);
    if (!sa || !sb) continue;
    const id = unique(nodeId.veth(a.namespace, a.name));
    const routed = overviewLine(opts.routes?.[id], sa, sb);
    lines.push(routed ?? [sa.at, sb.at]);
    if (routed) routedLines++;
    if (compact) continue;
    const leftToRight = sa.at.x <= sb.at.x;
    const h = (s: Attach, right: boolean) => (s.handle.member ? `m:${s.handle.ifname}` : `${right ? 'r' : 'l'}:${s.handle.ifname}`);
    edges.push({
      id,
      type: 'veth',
      source: sa.node,
      target: sb.node,
      sourceHandle: h(sa, leftToRight),
      targetHandle: h(sb, !leftToRight),
      data: opts.problems?.has(id) ? { kind: 'veth', problem: opts.problems.get(id) } : { kind: 'veth' },
      selected: selection.has(id),
    });
  }

  doc.forwarders.forEach((f, i) => {
    const id = unique(nodeId.forwarder(f.name));
    const l = nodeId.namespace(f.listen.namespace);
    const t = nodeId.namespace(f.target.namespace);
    const lc = centers.get(l);
    const tc = centers.get(t);
    const pos =
      positions[nodeId.forwarder(f.name)] ?? (lc && tc ? { x: (lc.x + tc.x) / 2 - FW_W / 2, y: (lc.y + tc.y) / 2 - 80 - i * 10 } : { x: -300, y: i * 70 });
    nodes.push({
      id,
      type: 'forwarder',
      position: pos,
      data: {
        ...(opts.problems?.has(id) ? { problem: opts.problems.get(id) } : {}),
        name: f.name,
        protocol: f.protocol,
        listen: `${f.listen.namespace} ${f.listen.address}:${f.listen.port}`,
        target: `${f.target.namespace} ${f.target.address}:${f.target.port}`,
      },
      width: FW_W,
      height: FW_H,
      measured: { width: FW_W, height: FW_H },
      handles: [
        { id: 'fl', type: 'source', position: 'left', x: -4, y: FW_H / 2 - 4, width: 8, height: 8 },
        { id: 'fr', type: 'source', position: 'right', x: FW_W - 4, y: FW_H / 2 - 4, width: 8, height: 8 },
      ],
      selected: selection.has(id),
    } as FlowNode);
    const c = { x: pos.x + FW_W / 2, y: pos.y + FW_H / 2 };
    centers.set(id, c);
    if (lc) lines.push([lc, c]);
    if (tc) lines.push([c, tc]);
    if (compact) return;
    // one edge each way: namespace → forwarder (listen), forwarder → namespace (target); handles face each other
    const forward = (edgeId: string, source: string, sourceHandle: string, target: string, targetHandle: string) =>
      edges.push({ id: edgeId, type: 'forward', source, sourceHandle, target, targetHandle, data: { kind: 'forward' }, selectable: false, animated: false });
    if (lc) forward(`fwl:${f.name}`, l, lc.x <= c.x ? 'nr' : 'nl', id, lc.x <= c.x ? 'fl' : 'fr');
    if (tc) forward(`fwt:${f.name}`, id, c.x <= tc.x ? 'fr' : 'fl', t, c.x <= tc.x ? 'nl' : 'nr');
  });

  return { nodes, edges, centers, lines, routedLines };
}

const sigOf = (o: FlowNode | FlowEdge) => JSON.stringify(o);

type Memo<T> = Map<string, { sig: string; item: T }>;

/** Items whose signature is unchanged since `prev` keep their old identity; `next` is the memo for the following call. */
function keepUnchanged<T extends FlowNode | FlowEdge>(items: T[], prev: Memo<T>, next: Memo<T>): T[] {
  return items.map((it) => {
    const sig = sigOf(it);
    const old = prev.get(it.id);
    const item = old && old.sig === sig ? old.item : it;
    next.set(it.id, { sig, item });
    return item;
  });
}

/** A memoizing deriver: unchanged nodes and edges keep their identity between calls. */
export function createFlowDeriver() {
  let prevNodes: Memo<FlowNode> = new Map();
  let prevEdges: Memo<FlowEdge> = new Map();
  return (doc: Topology, opts: DeriveOptions = {}): Flow => {
    const flow = toFlow(doc, opts);
    const nextNodes: Memo<FlowNode> = new Map();
    const nextEdges: Memo<FlowEdge> = new Map();
    flow.nodes = keepUnchanged(flow.nodes, prevNodes, nextNodes);
    flow.edges = keepUnchanged(flow.edges, prevEdges, nextEdges);
    prevNodes = nextNodes;
    prevEdges = nextEdges;
    return flow;
  };
}
