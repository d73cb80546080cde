/**
 * The live view: the document laid over the host as discovered. Every object is
 * one of: in sync (same on both), pending (only in the document: apply would create
 * it), drifted (on both, different), unmanaged (only on the host: not ours; can be
 * adopted). Keys are canvas ids, so nodes and edges look their status up directly.
 */
import type { Bridge, Namespace, Topology, Veth } from '../../shared/model/schema';
import { nodeId, objectKey } from '../../shared/model/ids';
import { isLiveOnly, isUnnamedName } from './live-unnamed';

export type LiveStatus = 'in-sync' | 'pending' | 'drifted' | 'unmanaged';

export interface LiveMerge {
  merged: Topology;
  status: Record<string, LiveStatus>;
  /** link key (`link:NS/IF`) → up, as the host has it */
  linkUp: Record<string, boolean>;
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

/** What is compared for drift: the network facts, not the layout. */
const nsFacts = (n: Namespace) => stable({ ...n, routes: [...n.routes].map(stable).sort(), vrfs: [...n.vrfs].map(stable).sort() });

/**
 * The host's routes as the document would write them: a field the document leaves
 * out (`dev` of a route via a gateway: the kernel picks it) is not a difference.
 */
function routesAsWritten(host: Namespace, doc: Namespace): Namespace {
  const routes = host.routes.map((r) => {
    const d = doc.routes.find((x) => x.to === r.to && (x.via ?? '') === (r.via ?? '') && (x.table ?? '') === (r.table ?? ''));
    if (!d) return r;
    const out: Record<string, unknown> = { ...r };
    for (const k of Object.keys(out)) if ((d as Record<string, unknown>)[k] === undefined) delete out[k];
    return out as typeof r;
  });
  return { ...host, routes };
}
const brFacts = (b: Bridge) => stable({ ...b, addresses: [...b.addresses].sort() });
const vethKey = (v: Veth) => v.ends.map((e) => `${e.namespace}/${e.name}`).sort().join('|');
const vethFacts = (v: Veth) => stable([...v.ends].map((e) => stable({ ...e, addresses: [...e.addresses].sort() })).sort());

export function mergeLive(doc: Topology, host: Topology): LiveMerge {
  const status: Record<string, LiveStatus> = {};
  const linkUp: Record<string, boolean> = {};
  for (const v of host.veths) for (const e of v.ends) linkUp[objectKey.link(e.namespace, e.name)] = e.up;
  for (const b of host.bridges) linkUp[objectKey.link(b.namespace, b.name)] = b.up;

  const hostNs = new Map(host.namespaces.map((n) => [n.name, n]));
  const docNs = new Map(doc.namespaces.map((n) => [n.name, n]));
  const namespaces = [...doc.namespaces];
  for (const n of doc.namespaces) {
    const h = hostNs.get(n.name);
    status[nodeId.namespace(n.name)] = !h ? 'pending' : nsFacts(routesAsWritten(h, n)) === nsFacts(n) ? 'in-sync' : 'drifted';
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
    status[nodeId.bridge(b.namespace, b.name)] = !h ? 'pending' : brFacts(h) === brFacts(b) ? 'in-sync' : 'drifted';
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
    status[nodeId.veth(v.ends[0].namespace, v.ends[0].name)] = !h ? 'pending' : vethFacts(h) === vethFacts(v) ? 'in-sync' : 'drifted';
  }
  for (const v of host.veths) {
    if (docV.has(vethKey(v))) continue;
    veths.push(v);
    status[nodeId.veth(v.ends[0].namespace, v.ends[0].name)] = 'unmanaged';
  }
  // a namespace whose interfaces drifted is drifted too, so the box says so at a glance
  for (const v of veths)
    for (const e of v.ends) {
      const id = nodeId.namespace(e.namespace);
      const s = status[nodeId.veth(v.ends[0].namespace, v.ends[0].name)];
      if (status[id] === 'in-sync' && s !== 'in-sync') status[id] = 'drifted';
    }
  // the document's positions win; host-only objects fall back to the default grid
  return { merged: { ...doc, namespaces, bridges, veths }, status, linkUp };
}

/** Copy one host object (a canvas id) into the document: adopt it, with what it depends on. */
export function adopt(doc: Topology, host: Topology, id: string): Topology {
  // an unnamed namespace (a container…) has no name a document could create: not adoptable as is
  if (isLiveOnly(id)) return doc;
  let next = doc;
  const addNs = (name: string) => {
    if (name === 'host' || next.namespaces.some((n) => n.name === name)) return;
    const h = host.namespaces.find((n) => n.name === name);
    if (h) next = { ...next, namespaces: [...next.namespaces, structuredClone(h)] };
  };
  if (id.startsWith('ns:')) {
    const name = id.slice(3);
    addNs(name);
    for (const b of host.bridges) if (b.namespace === name && !next.bridges.some((x) => x.namespace === name && x.name === b.name)) next = { ...next, bridges: [...next.bridges, structuredClone(b)] };
    // its veths whose other end is in the document too (or in host): else the adopted box
    // would show "drifted" at once, for links the person could not adopt with it
    const inDoc = (ns: string) => ns === 'host' || next.namespaces.some((n) => n.name === ns);
    for (const v of host.veths) {
      if (!v.ends.some((e) => e.namespace === name) || !v.ends.every((e) => inDoc(e.namespace))) continue;
      if (!next.veths.some((x) => vethKey(x) === vethKey(v))) next = { ...next, veths: [...next.veths, structuredClone(v)] };
    }
  } else if (id.startsWith('br:')) {
    const b = host.bridges.find((x) => nodeId.bridge(x.namespace, x.name) === id);
    if (b) {
      addNs(b.namespace);
      next = { ...next, bridges: [...next.bridges, structuredClone(b)] };
    }
  } else if (id.startsWith('veth:')) {
    const v = host.veths.find((x) => nodeId.veth(x.ends[0].namespace, x.ends[0].name) === id);
    if (v && !v.ends.some((e) => isUnnamedName(e.namespace)) && !next.veths.some((x) => vethKey(x) === vethKey(v))) {
      for (const e of v.ends) addNs(e.namespace);
      next = { ...next, veths: [...next.veths, structuredClone(v)] };
    }
  }
  return next;
}
