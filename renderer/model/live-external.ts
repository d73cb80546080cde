/**
 * Unnamed namespaces (a container, an `unshare -n` process) and the document:
 * the document cannot create such a namespace, but it can refer to it
 * (shared/model/external.ts). Two directions:
 *
 * - drawing: an external entry of the document is matched to the unnamed
 *   namespace it points at (`externalAliases`), and the live view draws that
 *   `inode:N` namespace under the entry's name, so it is in sync, not pending
 *   beside an unmanaged twin (./live-unnamed.ts renames it);
 * - adopting: each unnamed namespace with a veth to a named one gets a document
 *   name and an `external` reference — the container's name, else its bind mount,
 *   else its holder's PID — so adopting a bridge with container veths, or
 *   everything, drops nothing (`withExternalNames`; ./live-merge.ts then adopts
 *   from the host as this renames it).
 *
 * Saved files keep no position of an `inode:` object: the number means nothing
 * next time (`savable`); adopting moves such positions to the new names.
 *
 * Pure (renderer/model): plain data in, plain data out.
 */
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { refersTo, type ExternalRef } from '../../shared/model/external';
import type { Namespace, Topology, VethEnd } from '../../shared/model/schema';
import { isLiveOnly, isUnnamedName } from './live-unnamed';
import { adoptAll, adoptSelection, adoptWithNeighbours } from './live-merge';
import { hasControlChars } from '../../shared/validate/control-chars';

/** The reference that finds this namespace again on the next apply, best first. */
export function externalRefOf(ns: ObservedNamespace): ExternalRef | undefined {
  const c = ns.identity?.containers?.[0];
  if (c?.name && /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(c.name)) return { container: c.name };
  const m = ns.mounts?.[0];
  if (m && m.startsWith('/') && !m.split('/').includes('..') && !hasControlChars(m)) return { path: m };
  const pid = ns.holders?.[0]?.pid ?? ns.holder?.pid;
  return pid && pid > 1 ? { pid } : undefined;
}

/**
 * `inode:N` → the name of the document's external entry that points at it. An
 * entry matches one namespace at most (the first), a namespace one entry.
 */
export function externalAliases(doc: Pick<Topology, 'namespaces'>, observed: ObservedHost | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const externals = doc.namespaces.filter((n): n is Namespace & { external: ExternalRef } => !!n.external);
  if (!externals.length || !observed) return out;
  const unnamed = observed.namespaces.filter((o) => !o.named && isUnnamedName(o.name));
  for (const e of externals) {
    const o = unnamed.find((x) => !out.has(x.name) && refersTo(e.external, x));
    if (o) out.set(o.name, e.name);
  }
  return out;
}

/** The document's external entries, as a key that changes only when they do (the drawn host depends on them). */
export const externalsKey = (doc: Pick<Topology, 'namespaces'>): string =>
  JSON.stringify(doc.namespaces.filter((n) => n.external).map((n) => [n.name, n.external]));

/** A document name for it: the container's or Mininet host's name, else `ext-INODE`; never one the host or document has. */
function nameFor(ns: ObservedNamespace, taken: Set<string>): string {
  const base =
    (ns.identity?.containers?.[0]?.name ?? ns.identity?.mininetHost ?? `ext-${ns.inode}`)
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 60) || `ext-${ns.inode}`;
  let name = base;
  for (let k = 2; taken.has(name); k++) name = `${base}-${k}`;
  taken.add(name);
  return name;
}

export interface ExternalNames {
  /** the drawn host with each referable unnamed namespace renamed and marked external */
  host: Topology;
  /** `inode:N` → its document name */
  names: Map<string, string>;
}

/**
 * The drawn host as adopt should take it: every unnamed namespace a veth joins to a
 * named one (or to the host) renamed and marked external, its veth ends without a
 * master (a bridge inside a container is not the document's to make). A
 * container-to-container veth stays out: there is no named end to attach it from.
 */
export function withExternalNames(host: Topology, observed: ObservedHost | undefined, doc: Topology): ExternalNames {
  const names = new Map<string, string>();
  if (!observed) return { host, names };
  const byName = new Map(observed.namespaces.map((n) => [n.name, n]));
  const taken = new Set([...host.namespaces, ...doc.namespaces].map((n) => n.name));
  const refs = new Map<string, ExternalRef>();
  for (const v of host.veths) {
    if (v.ends.every((e) => isUnnamedName(e.namespace))) continue;
    for (const e of v.ends) {
      const o = byName.get(e.namespace);
      if (!isUnnamedName(e.namespace) || !o || refs.has(e.namespace)) continue;
      const ref = externalRefOf(o);
      if (!ref) continue;
      refs.set(e.namespace, ref);
      names.set(e.namespace, nameFor(o, taken));
    }
  }
  if (!refs.size) return { host, names };
  const rn = (n: string) => names.get(n) ?? n;
  return {
    names,
    host: {
      ...host,
      namespaces: host.namespaces.map((n) => (refs.has(n.name) ? { ...n, name: rn(n.name), external: refs.get(n.name) } : n)),
      bridges: host.bridges.filter((b) => !refs.has(b.namespace)),
      veths: host.veths.map((v) =>
        v.ends.some((e) => refs.has(e.namespace))
          ? { ...v, ends: v.ends.map((e) => (refs.has(e.namespace) ? inDocument(e, rn(e.namespace)) : e)) as typeof v.ends }
          : v,
      ),
    },
  };
}

/** A canvas id with its unnamed namespaces' document names (`veth:host/veth1a2b`, `ns:inode:9` → `ns:web`). */
export function renameId(id: string, names: ReadonlyMap<string, string>): string {
  return id.replace(/inode:\d+/g, (m) => names.get(m) ?? m);
}

/** The layout's positions of renamed objects moved to their new ids (adopt keeps where a box was). */
export function renamePositions(doc: Topology, names: ReadonlyMap<string, string>): Topology {
  const pos = doc.layout?.positions;
  if (!pos || !names.size || !Object.keys(pos).some(isLiveOnly)) return doc;
  const positions: typeof pos = {};
  for (const [k, v] of Object.entries(pos)) {
    const to = renameId(k, names);
    if (to === k || !(to in pos)) positions[to] = v;
  }
  return { ...doc, layout: { ...doc.layout, positions } };
}

/** The document as a file keeps it: no position of an `inode:` object (the number is meaningless next time). */
export function savable(doc: Topology): Topology {
  const pos = doc.layout?.positions;
  if (!pos || !Object.keys(pos).some(isLiveOnly)) return doc;
  return { ...doc, layout: { ...doc.layout, positions: Object.fromEntries(Object.entries(pos).filter(([k]) => !isLiveOnly(k))) } };
}

/** A container's end as the document holds it: renamed, and without a master (its bridges are not the document's). */
function inDocument(e: VethEnd, namespace: string): VethEnd {
  const { master: _master, ...rest } = e;
  return { ...rest, namespace };
}

export type AdoptHow = 'selected' | 'neighbours' | 'all';

export interface Adopted {
  doc: Topology;
  /** `inode:N` → the name its namespace got (`renameId` moves a selection along) */
  names: ReadonlyMap<string, string>;
}

/**
 * Adopt host objects (canvas ids of the drawn host; `all`: everything) with the
 * unnamed namespaces they touch coming in as external entries: nothing is dropped,
 * and the result is a valid document.
 */
export function adoptLive(doc: Topology, host: Topology, observed: ObservedHost | undefined, ids: readonly string[], how: AdoptHow): Adopted {
  const ext = withExternalNames(host, observed, doc);
  const named = ids.map((id) => renameId(id, ext.names));
  let next: Topology;
  if (how === 'all') next = adoptAll(doc, ext.host);
  else if (how === 'neighbours') next = named.reduce((d, id) => adoptWithNeighbours(d, ext.host, id), doc);
  else next = adoptSelection(doc, ext.host, named);
  if (next === doc) return { doc, names: new Map() };
  const adopted = new Set(next.namespaces.map((n) => n.name));
  const names = new Map([...ext.names].filter(([, to]) => adopted.has(to)));
  return { doc: renamePositions(next, names), names };
}

/**
 * Whether adopting `id` (an unmanaged object of the drawn host) brings anything in:
 * not a bridge inside an unnamed namespace, not an unnamed namespace without a veth
 * to a named one (a `--network none` box) or without a reference to find it by.
 * Cheap (one pass over the veths, nothing copied): the inspector asks it per render.
 */
export function adoptableLive(host: Topology, observed: ObservedHost | undefined, id: string): boolean {
  const referable = (ns: string) => {
    const o = observed?.namespaces.find((n) => n.name === ns);
    return !!o && externalRefOf(o) !== undefined;
  };
  if (!isLiveOnly(id)) {
    if (!id.startsWith('veth:')) return true;
    const v = host.veths.find((x) => `veth:${x.ends[0].namespace}/${x.ends[0].name}` === id);
    if (!v) return true;
    const unnamed = v.ends.filter((e) => isUnnamedName(e.namespace));
    return unnamed.length < 2 && unnamed.every((e) => referable(e.namespace));
  }
  const m = /^ns:(inode:\d+)$/.exec(id);
  if (!m) return false;
  const ns = m[1];
  return host.veths.some((v) => v.ends.some((e) => e.namespace === ns) && v.ends.some((e) => !isUnnamedName(e.namespace))) && referable(ns);
}
