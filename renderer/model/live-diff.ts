/**
 * One per-namespace watch event applied to the live picture, touching only what
 * that namespace is part of: the host document (its part replaced), the observed
 * host (its namespace replaced), the drawn host (its part, unnamed neighbours
 * included), its label, its link states, and the live statuses of it and of the
 * namespaces its veths reach (mergeLive run over those alone). The canvas's merged
 * picture is replaced only when what is drawn changed shape (a new veth, an
 * address…); a port going up or down reaches the canvas through `linkUp` alone,
 * so the canvas derives nothing for it. No step costs the size of the host
 * beyond an array filter.
 *
 * Pure (renderer/model): plain data in, plain data out.
 */
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS, type Topology, type Veth } from '../../shared/model/schema';
import { nodeId, objectKey } from '../../shared/model/ids';
import { replaceObserved, replacePart, type NamespacePart, type WatchData } from '../../shared/protocol/watch';
import type { DriftField } from './drift';
import { linkOperOf, mergeLive, type LinkOper, type LiveStatus } from './live-merge';
import { withUnnamed } from './live-unnamed';

export interface LivePicture {
  /** the host's document as the helper holds it (named namespaces) */
  hostNamed: Topology;
  observed: ObservedHost;
  /** drawn host: hostNamed plus unnamed namespaces when `allNamespaces` */
  host: Topology;
  /** the document laid over the drawn host: what the canvas draws */
  merged: Topology;
  labels: Record<string, string>;
  status: Record<string, LiveStatus>;
  drift: Record<string, DriftField[]>;
  linkUp: Record<string, boolean>;
  linkOper: Record<string, LinkOper>;
}

type Diff = Exclude<WatchData, { type: 'resync' }>;

const touches = (v: Veth, names: ReadonlySet<string>) => names.has(v.ends[0].namespace) || names.has(v.ends[1].namespace);

/** `names`' share of a document: their entries, their bridges, every veth with an end in one of them. */
function shareOf(doc: Topology, names: ReadonlySet<string>): Topology {
  return {
    ...doc,
    namespaces: doc.namespaces.filter((n) => names.has(n.name)),
    bridges: doc.bridges.filter((b) => names.has(b.namespace)),
    veths: doc.veths.filter((v) => touches(v, names)),
  };
}

/** One namespace's part of a whole document. */
function partOf(doc: Topology, name: string): NamespacePart {
  const one = new Set([name]);
  const entry = doc.namespaces.find((n) => n.name === name);
  return { ...(entry ? { entry } : {}), bridges: doc.bridges.filter((b) => b.namespace === name), veths: doc.veths.filter((v) => touches(v, one)) };
}

/** Namespaces `name`'s veths reach, in a document. */
function neighbours(doc: Topology, name: string, into: Set<string>): void {
  for (const v of doc.veths) {
    if (v.ends[0].namespace === name) into.add(v.ends[1].namespace);
    else if (v.ends[1].namespace === name) into.add(v.ends[0].namespace);
  }
}

/** What is drawn of a part, without the link states (those reach the canvas through `linkUp`). */
function shape(p: NamespacePart): string {
  return JSON.stringify(p, (k, v) => (k === 'up' ? undefined : v));
}

/** `name`'s part of the drawn host: from the host document, plus the unnamed namespaces' own (./live-unnamed.ts) over it and its neighbours. */
function drawnPart(hostNamed: Topology, observed: ObservedHost, name: string, all: boolean, aliases: ReadonlyMap<string, string>): NamespacePart {
  if (!all) return partOf(hostNamed, name);
  const near = new Set<string>([name, HOST_NS]);
  const byName = new Map<string, ObservedNamespace>();
  for (const n of observed.namespaces) byName.set(n.name, n);
  for (const l of byName.get(name)?.links ?? []) if (l.peer?.namespace) near.add(l.peer.namespace);
  neighbours(hostNamed, name, near);
  const sub = withUnnamed(
    shareOf(hostNamed, near),
    { ...observed, namespaces: [...near].map((n) => byName.get(n)).filter((n): n is ObservedNamespace => !!n) },
    aliases,
  );
  return partOf(sub.host, aliases.get(name) ?? name);
}

/**
 * The picture after one per-namespace event. `doc` is the editor's document;
 * `all` the toolbar's every-namespace toggle; `aliases` the unnamed namespaces drawn
 * under an external entry's name (../live-external.ts; the caller redraws the
 * whole host when they change).
 */
export function applyNamespaceEvent(p: LivePicture, ev: Diff, doc: Topology, all: boolean, aliases: ReadonlyMap<string, string> = new Map()): LivePicture {
  const seen = ev.namespace;
  const removed = ev.type === 'namespace-removed';
  let hostNamed = replacePart(p.hostNamed, seen, removed ? undefined : ev.part);
  if (ev.forwarders) hostNamed = { ...hostNamed, forwarders: ev.forwarders };
  const observed = replaceObserved(p.observed, seen, removed ? undefined : ev.observed);
  // from here on, the namespace as drawn
  const name = all ? (aliases.get(seen) ?? seen) : seen;

  // the drawn host: this namespace's part (the host box drawn when a veth reaches it, as withUnnamed does)
  const oldPart = partOf(p.host, name);
  const newPart = removed ? undefined : drawnPart(hostNamed, observed, seen, all, aliases);
  let host = replacePart(p.host, name, newPart);
  if (ev.forwarders) host = { ...host, forwarders: ev.forwarders };
  if (newPart?.veths.some((v) => v.ends.some((e) => e.namespace === HOST_NS)) && !host.namespaces.some((n) => n.name === HOST_NS)) {
    host = { ...host, namespaces: [{ name: HOST_NS, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] }, ...host.namespaces] };
  }

  const labels = { ...p.labels };
  const label = removed ? undefined : ev.observed.identity?.label;
  if (label) labels[name] = label;
  else delete labels[name];

  // link states: this namespace's own links, and both ends of the veths it had or has
  const prefix = objectKey.link(name, '');
  const gone = new Set(oldPart.veths.flatMap((v) => v.ends.map((e) => objectKey.link(e.namespace, e.name))));
  const linkUp: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(p.linkUp)) if (!k.startsWith(prefix) && !gone.has(k)) linkUp[k] = v;
  for (const v of newPart?.veths ?? []) for (const e of v.ends) linkUp[objectKey.link(e.namespace, e.name)] = e.up;
  for (const b of newPart?.bridges ?? []) linkUp[objectKey.link(b.namespace, b.name)] = b.up;
  const linkOper = removed
    ? Object.fromEntries(Object.entries(p.linkOper).filter(([k]) => !k.startsWith(prefix)))
    : linkOperOf(name === seen ? ev.observed : { ...ev.observed, name }, p.linkOper);

  // statuses: this namespace and those its veths reach (before and after), merged alone
  const near = new Set<string>([name]);
  neighbours(p.host, name, near);
  neighbours(host, name, near);
  neighbours(doc, name, near);
  const m = mergeLive(shareOf(doc, near), shareOf(host, near));
  const owned = (id: string) => {
    if (id.startsWith('ns:')) return near.has(id.slice(3));
    if (id.startsWith('br:')) return near.has(id.slice(3, id.lastIndexOf('/')));
    return false;
  };
  const vethIds = new Set<string>();
  for (const d of [p.host, host, doc]) for (const v of d.veths) if (touches(v, near)) vethIds.add(nodeId.veth(v.ends[0].namespace, v.ends[0].name));
  const mine = (id: string) => owned(id) || vethIds.has(id);
  const status: Record<string, LiveStatus> = {};
  for (const [k, v] of Object.entries(p.status)) if (!mine(k)) status[k] = v;
  for (const [k, v] of Object.entries(m.status)) if (mine(k)) status[k] = v;
  const drift: Record<string, DriftField[]> = {};
  for (const [k, v] of Object.entries(p.drift)) if (!mine(k)) drift[k] = v;
  for (const [k, v] of Object.entries(m.drift)) if (mine(k)) drift[k] = v;

  // the canvas's picture: only when what is drawn changed shape
  let merged = p.merged;
  if (removed || shape(oldPart) !== shape(newPart!)) {
    const mergedPart = removed ? undefined : partOf(m.merged, name);
    merged = replacePart(p.merged, name, mergedPart);
    if (!merged.namespaces.some((n) => n.name === HOST_NS) && host.namespaces.some((n) => n.name === HOST_NS))
      merged = { ...merged, namespaces: [host.namespaces.find((n) => n.name === HOST_NS)!, ...merged.namespaces] };
  }
  return { hostNamed, observed, host, merged, labels, status, drift, linkUp, linkOper };
}
