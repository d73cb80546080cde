/**
 * The live view: the document laid over the host as discovered. Every object is
 * one of: in sync (same on both), pending (only in the document: apply would create
 * it), drifted (on both, different), unmanaged (only on the host: not ours; can be
 * adopted). Keys are canvas ids, so nodes and edges look their status up directly.
 * Drifted means: a field the document specifies differs on the host (./drift.ts,
 * which keeps both values for the inspector).
 */
import type { Bridge, Topology, Veth } from '../../shared/model/schema';
import type { ObservedHost } from '../../shared/model/observed';
import { nodeId, objectKey } from '../../shared/model/ids';
import { isLiveOnly, isUnnamedName } from './live-unnamed';
import { bridgeDrift, namespaceDrift, vethDrift, type DriftField } from './drift';

export type LiveStatus = 'in-sync' | 'pending' | 'drifted' | 'unmanaged';

export interface LiveMerge {
  merged: Topology;
  status: Record<string, LiveStatus>;
  /** link key (`link:NS/IF`) → administratively up, as the host has it */
  linkUp: Record<string, boolean>;
  /** canvas id → the fields that differ (document value vs host value), for drifted objects */
  drift: Record<string, DriftField[]>;
}

/** Operational state of a link as the host reports it (the admin state is `linkUp`). */
export interface LinkOper {
  /** operstate: UP, DOWN, LOWERLAYERDOWN, UNKNOWN… */
  oper: string;
  /** lower layer up (a veth whose peer is up) */
  carrier: boolean;
}

/**
 * link key → operational state, from what an event or discover observed: a whole
 * host (replaces `prev`), one namespace (a watch event: replaces that namespace's
 * links in `prev`), or nothing usable (keeps `prev`).
 */
export function linkOperOf(observed: unknown, prev: Record<string, LinkOper> = {}): Record<string, LinkOper> {
  const whole = (observed as Partial<ObservedHost> | undefined)?.namespaces;
  const one = observed as { name?: unknown; links?: unknown } | undefined;
  const single = !Array.isArray(whole) && typeof one?.name === 'string' && Array.isArray(one.links);
  if (!Array.isArray(whole) && !single) return prev;
  const nss = (Array.isArray(whole) ? whole : [observed]) as ObservedHost['namespaces'];
  const out: Record<string, LinkOper> = {};
  if (single) for (const [k, v] of Object.entries(prev)) if (!k.startsWith(objectKey.link(one!.name as string, ''))) out[k] = v;
  for (const ns of nss) {
    if (typeof ns?.name !== 'string' || !Array.isArray(ns.links)) continue;
    for (const l of ns.links) {
      if (typeof l?.name !== 'string' || typeof l.oper !== 'string') continue;
      out[objectKey.link(ns.name, l.name)] = { oper: l.oper, carrier: l.carrier === true || (l.carrier === undefined && l.oper === 'UP') };
    }
  }
  return out;
}

/** Whether a link that is administratively up can pass traffic (UNKNOWN: the kernel does not track it, e.g. loopback). */
export const operational = (o: LinkOper | undefined): boolean | undefined => (o ? o.oper === 'UP' || o.oper === 'UNKNOWN' : undefined);

const vethKey = (v: Veth) =>
  v.ends
    .map((e) => `${e.namespace}/${e.name}`)
    .sort()
    .join('|');

export function mergeLive(doc: Topology, host: Topology): LiveMerge {
  const status: Record<string, LiveStatus> = {};
  const drift: Record<string, DriftField[]> = {};
  const judge = (id: string, fields: DriftField[]) => {
    if (fields.length) drift[id] = fields;
    status[id] = fields.length ? 'drifted' : 'in-sync';
  };
  const linkUp: Record<string, boolean> = {};
  for (const v of host.veths) for (const e of v.ends) linkUp[objectKey.link(e.namespace, e.name)] = e.up;
  for (const b of host.bridges) linkUp[objectKey.link(b.namespace, b.name)] = b.up;

  const hostNs = new Map(host.namespaces.map((n) => [n.name, n]));
  const docNs = new Map(doc.namespaces.map((n) => [n.name, n]));
  const namespaces = [...doc.namespaces];
  for (const n of doc.namespaces) {
    const h = hostNs.get(n.name);
    if (!h) status[nodeId.namespace(n.name)] = 'pending';
    else judge(nodeId.namespace(n.name), namespaceDrift(n, h));
  }
  for (const h of host.namespaces) {
    if (docNs.has(h.name)) continue;
    namespaces.push(h);
    status[nodeId.namespace(h.name)] = 'unmanaged';
  }

  const hostBr = new Map(host.bridges.map((b) => [`${b.namespace}/${b.name}`, b]));
  const docBr = new Set(doc.bridges.map((b) => `${b.namespace}/${b.name}`));
  const bridges = [...doc.bridges];
  for (const b of doc.bridges) {
    const h = hostBr.get(`${b.namespace}/${b.name}`);
    if (!h) status[nodeId.bridge(b.namespace, b.name)] = 'pending';
    else judge(nodeId.bridge(b.namespace, b.name), bridgeDrift(b, h));
  }
  for (const b of host.bridges) {
    if (docBr.has(`${b.namespace}/${b.name}`)) continue;
    bridges.push(b);
    status[nodeId.bridge(b.namespace, b.name)] = 'unmanaged';
  }

  const hostV = new Map(host.veths.map((v) => [vethKey(v), v]));
  const docV = new Set(doc.veths.map(vethKey));
  const veths = [...doc.veths];
  for (const v of doc.veths) {
    const h = hostV.get(vethKey(v));
    if (!h) status[nodeId.veth(v.ends[0].namespace, v.ends[0].name)] = 'pending';
    else judge(nodeId.veth(v.ends[0].namespace, v.ends[0].name), vethDrift(v.ends, h.ends));
  }
  for (const v of host.veths) {
    if (docV.has(vethKey(v))) continue;
    veths.push(v);
    status[nodeId.veth(v.ends[0].namespace, v.ends[0].name)] = 'unmanaged';
  }
  // a namespace whose interfaces drifted (or are missing) is drifted too, so the box says so at a glance;
  // its inspector lists the fields of its own interface ends
  for (const v of veths)
    for (const e of v.ends) {
      const id = nodeId.namespace(e.namespace);
      const vid = nodeId.veth(v.ends[0].namespace, v.ends[0].name);
      const s = status[vid];
      if (status[id] !== 'in-sync' && status[id] !== 'drifted') continue;
      if (s === 'pending') {
        status[id] = 'drifted';
        (drift[id] ??= []).push({ field: `${e.namespace}/${e.name}`, doc: 'veth end', host: '(none)' });
      } else if (s === 'drifted') {
        const mine = (drift[vid] ?? []).filter((f) => f.field.startsWith(`${e.namespace}/${e.name} `));
        if (!mine.length) continue;
        status[id] = 'drifted';
        drift[id] = [...(drift[id] ?? []), ...mine.filter((f) => !drift[id]?.includes(f))];
      }
    }
  // the document's positions win; host-only objects fall back to the default grid
  return { merged: { ...doc, namespaces, bridges, veths }, status, linkUp, drift };
}

/**
 * Copy one host object (a canvas id) into the document: adopt it, with what it
 * depends on (a veth's namespaces and the bridges its ends hang on), so the
 * result is valid.
 */
export function adopt(doc: Topology, host: Topology, id: string): Topology {
  // an unnamed namespace (a container…) has no name a document could create: not adoptable as is
  // (./live-external.ts names it as an external entry first)
  if (isLiveOnly(id)) return doc;
  let next = doc;
  const addNs = (name: string) => {
    if (name === 'host' || next.namespaces.some((n) => n.name === name)) return;
    const h = host.namespaces.find((n) => n.name === name);
    if (h) next = { ...next, namespaces: [...next.namespaces, structuredClone(h)] };
  };
  const addBridge = (b: Bridge) => {
    if (next.bridges.some((x) => x.namespace === b.namespace && x.name === b.name)) return;
    addNs(b.namespace);
    next = { ...next, bridges: [...next.bridges, structuredClone(b)] };
  };
  const addVeth = (v: Veth) => {
    if (next.veths.some((x) => vethKey(x) === vethKey(v))) return;
    for (const e of v.ends) {
      addNs(e.namespace);
      const master = e.master ? host.bridges.find((b) => b.namespace === e.namespace && b.name === e.master) : undefined;
      if (master) addBridge(master);
    }
    next = { ...next, veths: [...next.veths, structuredClone(v)] };
  };
  if (id.startsWith('ns:')) {
    const name = id.slice(3);
    addNs(name);
    for (const b of host.bridges) if (b.namespace === name) addBridge(b);
    // its veths whose other end is in the document too (or in host): else the adopted box
    // would show "drifted" at once, for links the person could not adopt with it
    const inDoc = (ns: string) => ns === 'host' || next.namespaces.some((n) => n.name === ns);
    for (const v of host.veths) if (v.ends.some((e) => e.namespace === name) && v.ends.every((e) => inDoc(e.namespace))) addVeth(v);
  } else if (id.startsWith('br:')) {
    const b = host.bridges.find((x) => nodeId.bridge(x.namespace, x.name) === id);
    if (b) addBridge(b);
  } else if (id.startsWith('veth:')) {
    const v = host.veths.find((x) => nodeId.veth(x.ends[0].namespace, x.ends[0].name) === id);
    if (v && !v.ends.some((e) => isUnnamedName(e.namespace))) addVeth(v);
  }
  return next;
}

/**
 * Adopt a host object with its neighbours: a namespace with every veth into it,
 * the namespaces at their other ends and the bridges those ends hang on; a bridge
 * with its namespace and its members' veths; a veth with both namespaces and
 * their ends' bridges. The result is a valid document in one step (a veth whose
 * `master` bridge was left behind would not be). Unnamed namespaces stay out.
 */
export function adoptWithNeighbours(doc: Topology, host: Topology, id: string): Topology {
  if (isLiveOnly(id)) return doc;
  const ids = new Set<string>([id]);
  const vethsOf = (pred: (e: Veth['ends'][number]) => boolean) =>
    host.veths.filter((v) => v.ends.some(pred) && !v.ends.some((e) => isUnnamedName(e.namespace)));
  let veths: Veth[] = [];
  if (id.startsWith('ns:')) veths = vethsOf((e) => e.namespace === id.slice(3));
  else if (id.startsWith('br:')) {
    const b = host.bridges.find((x) => nodeId.bridge(x.namespace, x.name) === id);
    if (b) veths = vethsOf((e) => e.namespace === b.namespace && e.master === b.name);
  } else if (id.startsWith('veth:')) veths = host.veths.filter((x) => nodeId.veth(x.ends[0].namespace, x.ends[0].name) === id);
  for (const v of veths) {
    ids.add(nodeId.veth(v.ends[0].namespace, v.ends[0].name));
    for (const e of v.ends) {
      if (e.namespace !== 'host') ids.add(nodeId.namespace(e.namespace));
      if (e.master && host.bridges.some((b) => b.namespace === e.namespace && b.name === e.master)) ids.add(nodeId.bridge(e.namespace, e.master));
    }
  }
  return adoptIds(doc, host, ids);
}

/** Adopt everything the host has that a document can name: a valid document of the whole (named) host. */
export function adoptAll(doc: Topology, host: Topology): Topology {
  const ids = new Set<string>();
  for (const n of host.namespaces) if (n.name !== 'host') ids.add(nodeId.namespace(n.name));
  for (const b of host.bridges) ids.add(nodeId.bridge(b.namespace, b.name));
  for (const v of host.veths) ids.add(nodeId.veth(v.ends[0].namespace, v.ends[0].name));
  return adoptIds(doc, host, ids);
}

/** Several host objects at once (a multi-selection), each with what it depends on: a valid document. */
export function adoptSelection(doc: Topology, host: Topology, ids: Iterable<string>): Topology {
  return adoptIds(doc, host, new Set(ids));
}

/** Bridges first (veths may name them as master), then namespaces, then veths. */
function adoptIds(doc: Topology, host: Topology, ids: Set<string>): Topology {
  const order = (id: string) => (id.startsWith('br:') ? 0 : id.startsWith('ns:') ? 1 : 2);
  let next = doc;
  for (const id of [...ids].filter((i) => !isLiveOnly(i)).sort((a, b) => order(a) - order(b))) next = adopt(next, host, id);
  return next;
}
