/**
 * Every edit the UI makes to a document, as pure functions: document in, new
 * document out (untouched objects keep their identity, so memoized canvas nodes
 * do not re-render). Renames cascade to every reference (veth ends, masters,
 * forwarders, layout positions) and report the id change so selection follows.
 */
import { HOST_NS } from '../../shared/model/schema';
import type { Bridge, Forwarder, ForwarderEnd, Namespace, Topology, Veth, VethEnd, Vrf } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import { parseId } from './doc-ids';

export interface Pos {
  x: number;
  y: number;
}

export interface EditResult {
  doc: Topology;
  /** ids to select after the edit (the created object) */
  select?: string[];
  /** old id → new id after a rename */
  renamed?: Record<string, string>;
}

// ---------------------------------------------------------------- names

/** The first `prefix{n}` (n ≥ start) that `taken` does not hold. */
export function freeName(prefix: string, taken: Set<string>, start = 1): string {
  for (let n = start; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

export function namespaceNames(doc: Topology): Set<string> {
  return new Set([HOST_NS, ...doc.namespaces.map((n) => n.name)]);
}

/** Every interface name used in `ns` (veth ends, bridges, VRFs). */
export function interfaceNames(doc: Topology, ns: string): Set<string> {
  const s = new Set<string>();
  for (const v of doc.veths) for (const e of v.ends) if (e.namespace === ns) s.add(e.name);
  for (const b of doc.bridges) if (b.namespace === ns) s.add(b.name);
  for (const n of doc.namespaces) if (n.name === ns) for (const v of n.vrfs) s.add(v.name);
  return s;
}

const setPositions = (doc: Topology, entries: [string, Pos | undefined][]): Topology => {
  if (!entries.length) return doc;
  const positions = { ...(doc.layout?.positions ?? {}) };
  for (const [id, p] of entries) {
    if (p) positions[id] = { x: Math.round(p.x), y: Math.round(p.y) };
    else delete positions[id];
  }
  return { ...doc, layout: { ...(doc.layout ?? {}), positions } };
};

export function movePositions(doc: Topology, moves: Record<string, Pos>): Topology {
  return setPositions(doc, Object.entries(moves));
}

// ---------------------------------------------------------------- create

export function addNamespace(doc: Topology, pos?: Pos, name?: string): EditResult {
  const n = name ?? freeName('ns', namespaceNames(doc));
  const ns: Namespace = { name: n, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] };
  const id = nodeId.namespace(n);
  return { doc: setPositions({ ...doc, namespaces: [...doc.namespaces, ns] }, pos ? [[id, pos]] : []), select: [id] };
}

export function addBridge(doc: Topology, ns: string = HOST_NS): EditResult {
  const name = freeName('br', interfaceNames(doc, ns), 0);
  const br: Bridge = { name, namespace: ns, addresses: [], up: true };
  return { doc: { ...doc, bridges: [...doc.bridges, br] }, select: [nodeId.bridge(ns, name)] };
}

export function addVrf(doc: Topology, ns: string, table?: number): EditResult {
  const nsObj = doc.namespaces.find((n) => n.name === ns);
  if (!nsObj) return { doc };
  const name = freeName('vrf', interfaceNames(doc, ns), 0);
  const used = new Set(doc.namespaces.flatMap((n) => n.vrfs.map((v) => v.table)));
  let t = table ?? 10;
  while (used.has(t)) t++;
  const vrf: Vrf = { name, table: t, up: true };
  return { doc: updateNs(doc, ns, { vrfs: [...nsObj.vrfs, vrf] }), select: [nodeId.vrf(ns, name)] };
}

export interface EndSpec {
  namespace: string;
  master?: string;
}

/** A veth between two namespaces (or a namespace and a bridge) with generated, free names. */
export function addVeth(doc: Topology, a: EndSpec, b: EndSpec): EditResult {
  const takenA = interfaceNames(doc, a.namespace);
  const takenB = a.namespace === b.namespace ? takenA : interfaceNames(doc, b.namespace);
  // one number for both ends so the pair reads as a pair: veth3 ↔ veth3p
  let n = 0;
  while (takenA.has(`veth${n}`) || takenB.has(`veth${n}p`) || (a.namespace === b.namespace && takenA.has(`veth${n}p`))) n++;
  const end = (s: EndSpec, name: string): VethEnd => ({ namespace: s.namespace, name, addresses: [], up: true, ...(s.master ? { master: s.master } : {}) });
  const veth: Veth = { ends: [end(a, `veth${n}`), end(b, `veth${n}p`)] };
  return { doc: { ...doc, veths: [...doc.veths, veth] }, select: [nodeId.veth(a.namespace, `veth${n}`)] };
}

export function addForwarder(doc: Topology, listenNs: string, targetNs: string, pos?: Pos): EditResult {
  const name = freeName('fwd', new Set(doc.forwarders.map((f) => f.name)));
  const used = new Set(doc.forwarders.map((f) => f.listen.port));
  let port = 8080;
  while (used.has(port)) port++;
  const f: Forwarder = {
    name,
    protocol: 'tcp',
    // loopback: a new forwarder is reachable only from inside its namespace until someone widens it on purpose
    listen: { namespace: listenNs, address: '127.0.0.1', port },
    target: { namespace: targetNs, address: '127.0.0.1', port: 80 },
  };
  const id = nodeId.forwarder(name);
  return { doc: setPositions({ ...doc, forwarders: [...doc.forwarders, f] }, pos ? [[id, pos]] : []), select: [id] };
}

// ---------------------------------------------------------------- update

function updateNs(doc: Topology, name: string, patch: Partial<Namespace>): Topology {
  return { ...doc, namespaces: doc.namespaces.map((n) => (n.name === name ? { ...n, ...patch } : n)) };
}

const renameKey = (positions: Record<string, Pos> | undefined, from: string, to: string) => {
  if (!positions || !(from in positions) || from === to) return positions;
  const { [from]: p, ...rest } = positions;
  return { ...rest, [to]: p };
};

/** Change a namespace; a new `name` renames it everywhere it is referenced. */
export function updateNamespace(doc: Topology, name: string, patch: Partial<Namespace>): EditResult {
  const exists = doc.namespaces.some((n) => n.name === name);
  let next = exists ? updateNs(doc, name, patch) : doc;
  if (!exists && name === HOST_NS) {
    // the host box is implicit until someone sets something on it
    const ns: Namespace = { loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [], ...patch, name: HOST_NS };
    next = { ...doc, namespaces: [ns, ...doc.namespaces] };
  }
  const to = patch.name;
  if (to === undefined || to === name || name === HOST_NS) return { doc: next };
  const end = <E extends { namespace: string }>(e: E): E => (e.namespace === name ? { ...e, namespace: to } : e);
  next = {
    ...next,
    bridges: next.bridges.map(end),
    veths: next.veths.map((v) => (v.ends.some((e) => e.namespace === name) ? { ends: [end(v.ends[0]), end(v.ends[1])] as Veth['ends'] } : v)),
    forwarders: next.forwarders.map((f) =>
      f.listen.namespace === name || f.target.namespace === name ? { ...f, listen: end(f.listen), target: end(f.target) } : f,
    ),
  };
  const renamed: Record<string, string> = { [nodeId.namespace(name)]: nodeId.namespace(to) };
  let positions = renameKey(next.layout?.positions, nodeId.namespace(name), nodeId.namespace(to));
  for (const b of doc.bridges) if (b.namespace === name) renamed[nodeId.bridge(name, b.name)] = nodeId.bridge(to, b.name);
  for (const v of doc.veths) if (v.ends[0].namespace === name) renamed[nodeId.veth(name, v.ends[0].name)] = nodeId.veth(to, v.ends[0].name);
  for (const [from, dest] of Object.entries(renamed)) positions = renameKey(positions, from, dest);
  if (positions && next.layout) next = { ...next, layout: { ...next.layout, positions } };
  return { doc: next, renamed };
}

export function updateBridge(doc: Topology, ns: string, name: string, patch: Partial<Bridge>): EditResult {
  let next: Topology = { ...doc, bridges: doc.bridges.map((b) => (b.namespace === ns && b.name === name ? { ...b, ...patch } : b)) };
  const toNs = patch.namespace ?? ns;
  const toName = patch.name ?? name;
  if (toNs === ns && toName === name) return { doc: next };
  // members follow a renamed bridge; a bridge moved to another namespace loses them
  next = {
    ...next,
    veths: next.veths.map((v) =>
      v.ends.some((e) => e.namespace === ns && e.master === name)
        ? {
            ends: v.ends.map((e) => {
              if (e.namespace !== ns || e.master !== name) return e;
              if (toNs !== ns) {
                const { master: _m, ...rest } = e;
                return rest;
              }
              return { ...e, master: toName };
            }) as Veth['ends'],
          }
        : v,
    ),
  };
  return { doc: next, renamed: { [nodeId.bridge(ns, name)]: nodeId.bridge(toNs, toName) } };
}

export function updateVrf(doc: Topology, ns: string, name: string, patch: Partial<Vrf>): EditResult {
  const nsObj = doc.namespaces.find((n) => n.name === ns);
  if (!nsObj) return { doc };
  const next = updateNs(doc, ns, { vrfs: nsObj.vrfs.map((v) => (v.name === name ? { ...v, ...patch } : v)) });
  if (patch.name === undefined || patch.name === name) return { doc: next };
  return { doc: next, renamed: { [nodeId.vrf(ns, name)]: nodeId.vrf(ns, patch.name) } };
}

/** Index of the veth an edge id names (its first end), or -1. */
export function findVeth(doc: Topology, ns: string, ifname: string): number {
  return doc.veths.findIndex((v) => v.ends[0].namespace === ns && v.ends[0].name === ifname);
}

export function updateVethEnd(doc: Topology, index: number, end: 0 | 1, patch: Partial<VethEnd>): EditResult {
  const v = doc.veths[index];
  if (!v) return { doc };
  const e = { ...v.ends[end], ...patch };
  // `master: undefined` clears the field (strict schema: no undefined-valued keys in files)
  if ('master' in patch && !patch.master) delete e.master;
  if ('mtu' in patch && patch.mtu === undefined) delete e.mtu;
  const ends = end === 0 ? ([e, v.ends[1]] as Veth['ends']) : ([v.ends[0], e] as Veth['ends']);
  const veths = doc.veths.slice();
  veths[index] = { ends };
  const next = { ...doc, veths };
  const before = nodeId.veth(v.ends[0].namespace, v.ends[0].name);
  const after = nodeId.veth(ends[0].namespace, ends[0].name);
  return before === after ? { doc: next } : { doc: next, renamed: { [before]: after } };
}

export function updateForwarder(doc: Topology, name: string, patch: Partial<Forwarder>): EditResult {
  const next = { ...doc, forwarders: doc.forwarders.map((f) => (f.name === name ? { ...f, ...patch } : f)) };
  if (patch.name === undefined || patch.name === name) return { doc: next };
  const from = nodeId.forwarder(name);
  const to = nodeId.forwarder(patch.name);
  const positions = renameKey(next.layout?.positions, from, to);
  return { doc: positions && next.layout ? { ...next, layout: { ...next.layout, positions } } : next, renamed: { [from]: to } };
}

export function updateForwarderEnd(doc: Topology, name: string, which: 'listen' | 'target', patch: Partial<ForwarderEnd>): EditResult {
  return { doc: { ...doc, forwarders: doc.forwarders.map((f) => (f.name === name ? { ...f, [which]: { ...f[which], ...patch } } : f)) } };
}

// ---------------------------------------------------------------- delete

/** Remove the objects behind canvas ids; a namespace takes its bridges, veths and forwarders with it. */
export function deleteIds(doc: Topology, ids: readonly string[]): Topology {
  const nsGone = new Set<string>();
  const brGone = new Set<string>();
  const vrfGone = new Set<string>();
  const fwGone = new Set<string>();
  const vethGone = new Set<string>();
  for (const id of ids) {
    const p = parseId(id);
    if (!p) continue;
    if (p.kind === 'namespace') nsGone.add(p.ns);
    else if (p.kind === 'bridge') brGone.add(`${p.ns}/${p.name}`);
    else if (p.kind === 'vrf') vrfGone.add(`${p.ns}/${p.name}`);
    else if (p.kind === 'forwarder') fwGone.add(p.name);
    else vethGone.add(`${p.ns}/${p.ifname}`);
  }
  const bridges = doc.bridges.filter((b) => !nsGone.has(b.namespace) && !brGone.has(`${b.namespace}/${b.name}`));
  const veths = doc.veths
    .filter((v) => !vethGone.has(`${v.ends[0].namespace}/${v.ends[0].name}`) && !v.ends.some((e) => nsGone.has(e.namespace)))
    .map((v) =>
      v.ends.some((e) => e.master && (brGone.has(`${e.namespace}/${e.master}`) || vrfGone.has(`${e.namespace}/${e.master}`)))
        ? {
            ends: v.ends.map((e) => {
              if (!e.master || !(brGone.has(`${e.namespace}/${e.master}`) || vrfGone.has(`${e.namespace}/${e.master}`))) return e;
              const { master: _m, ...rest } = e;
              return rest;
            }) as Veth['ends'],
          }
        : v,
    );
  const namespaces = doc.namespaces
    .filter((n) => !nsGone.has(n.name) || n.name === HOST_NS)
    .map((n) => (n.vrfs.some((v) => vrfGone.has(`${n.name}/${v.name}`)) ? { ...n, vrfs: n.vrfs.filter((v) => !vrfGone.has(`${n.name}/${v.name}`)) } : n));
  const forwarders = doc.forwarders.filter((f) => !fwGone.has(f.name) && !nsGone.has(f.listen.namespace) && !nsGone.has(f.target.namespace));
  let next: Topology = { ...doc, namespaces, bridges, veths, forwarders };
  if (doc.layout) {
    const positions = { ...doc.layout.positions };
    for (const id of ids) delete positions[id];
    next = { ...next, layout: { ...doc.layout, positions } };
  }
  return next;
}

// ---------------------------------------------------------------- copy / paste

/** What Ctrl+C keeps: the selected objects, with veths only when both ends' namespaces are copied. */
export interface Clip {
  namespaces: Namespace[];
  bridges: Bridge[];
  veths: Veth[];
  forwarders: Forwarder[];
  positions: Record<string, Pos>;
}

export function copyIds(doc: Topology, ids: readonly string[]): Clip {
  const sel = new Set(ids);
  const nsSet = new Set(doc.namespaces.filter((n) => sel.has(nodeId.namespace(n.name))).map((n) => n.name));
  const inClip = (ns: string) => nsSet.has(ns);
  const positions: Record<string, Pos> = {};
  for (const id of ids) {
    const p = doc.layout?.positions[id];
    if (p) positions[id] = p;
  }
  return structuredClone({
    namespaces: doc.namespaces.filter((n) => nsSet.has(n.name) && n.name !== HOST_NS),
    bridges: doc.bridges.filter((b) => inClip(b.namespace) || sel.has(nodeId.bridge(b.namespace, b.name))),
    veths: doc.veths.filter((v) => v.ends.every((e) => inClip(e.namespace)) || sel.has(nodeId.veth(v.ends[0].namespace, v.ends[0].name))),
    forwarders: doc.forwarders.filter((f) => sel.has(nodeId.forwarder(f.name))),
    positions,
  });
}

/** Insert a clip: namespaces get fresh names (ns1 → ns1-copy, …), references follow, positions shift by `offset`. */
export function pasteClip(doc: Topology, clip: Clip, offset: Pos = { x: 40, y: 40 }): EditResult {
  const taken = namespaceNames(doc);
  const nsMap = new Map<string, string>();
  for (const n of clip.namespaces) {
    let name = `${n.name}-c`;
    for (let i = 2; taken.has(name); i++) name = `${n.name}-c${i}`;
    taken.add(name);
    nsMap.set(n.name, name);
  }
  const mapNs = (ns: string) => nsMap.get(ns) ?? ns;
  let next: Topology = { ...doc };
  const select: string[] = [];
  const moves: [string, Pos][] = [];
  for (const n of clip.namespaces) {
    const name = mapNs(n.name);
    next = { ...next, namespaces: [...next.namespaces, { ...structuredClone(n), name }] };
    select.push(nodeId.namespace(name));
    const p = clip.positions[nodeId.namespace(n.name)];
    if (p) moves.push([nodeId.namespace(name), { x: p.x + offset.x, y: p.y + offset.y }]);
  }
  for (const b of clip.bridges) {
    const ns = mapNs(b.namespace);
    const name = nsMap.has(b.namespace) ? b.name : freeName(`${b.name}-`, interfaceNames(next, ns));
    next = { ...next, bridges: [...next.bridges, { ...structuredClone(b), namespace: ns, name }] };
    select.push(nodeId.bridge(ns, name));
  }
  for (const v of clip.veths) {
    const ends = v.ends.map((e) => {
      const ns = mapNs(e.namespace);
      const name = nsMap.has(e.namespace) ? e.name : freeName(`${e.name.slice(0, 12)}c`, interfaceNames(next, ns));
      return { ...structuredClone(e), namespace: ns, name };
    }) as Veth['ends'];
    next = { ...next, veths: [...next.veths, { ends }] };
    select.push(nodeId.veth(ends[0].namespace, ends[0].name));
  }
  for (const f of clip.forwarders) {
    const name = freeName(`${f.name}-c`, new Set(next.forwarders.map((x) => x.name)));
    next = {
      ...next,
      forwarders: [
        ...next.forwarders,
        {
          ...structuredClone(f),
          name,
          listen: { ...f.listen, namespace: mapNs(f.listen.namespace) },
          target: { ...f.target, namespace: mapNs(f.target.namespace) },
        },
      ],
    };
    select.push(nodeId.forwarder(name));
    const p = clip.positions[nodeId.forwarder(f.name)];
    if (p) moves.push([nodeId.forwarder(name), { x: p.x + offset.x, y: p.y + offset.y }]);
  }
  return { doc: setPositions(next, moves), select };
}

/**
 * Where a paste goes: right below the copied boxes (their whole extent plus a gap),
 * so the copies never stack on the originals. `heights` are the drawn heights by id.
 */
export function pasteOffset(clip: Clip, heights: ReadonlyMap<string, number>, gap = 40): Pos {
  const entries = Object.entries(clip.positions);
  if (!entries.length) return { x: 40, y: 40 };
  const top = Math.min(...entries.map(([, p]) => p.y));
  const bottom = Math.max(...entries.map(([id, p]) => p.y + (heights.get(id) ?? 100)));
  return { x: 0, y: bottom - top + gap };
}
