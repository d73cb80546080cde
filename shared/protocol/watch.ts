/**
 * The watch contract: what a `watch` event carries (`WatchData`) and the one way
 * a client applies it to its picture of the host (`applyWatchData`). Everything
 * but a resync is about one namespace and carries only that namespace's facts:
 * its observed namespace and its part of the document (`NamespacePart`: the
 * namespace entry, its bridges and every veth with an end in it). A client
 * replaces that namespace's part and keeps the rest, so no event costs the size
 * of the host. Sequence numbers (the event envelope's `seq`) follow each other
 * within a subscription; a client that sees a gap subscribes again (it then
 * starts with a resync).
 *
 * Pure: no node:* imports.
 */
import type { ObservedHost, ObservedNamespace } from '../model/observed';
import type { Bridge, Forwarder, Namespace, Topology, Veth } from '../model/schema';

/**
 * One namespace's part of the host document: what a client drops and puts back
 * for a change there. `entry` is absent when the document holds no entry for it
 * (an unnamed namespace, or `host` with nothing in it). A veth between two
 * namespaces is in the part of both.
 */
export interface NamespacePart {
  entry?: Namespace;
  bridges: Bridge[];
  veths: Veth[];
}

/** `event: 'watch'` data. The first event of a subscription is always a resync. */
export type WatchData =
  /** replace everything: sent first, after a monitor restart, when the client fell behind, and instead of a flood */
  | { type: 'resync'; observed: ObservedHost; document: Topology }
  | {
      type: 'namespace-added' | 'namespace-changed';
      /**
       * the namespace's name as the document and `observed.name` use it: `host`, a
       * named namespace (prefix stripped with `stripPrefix`), or `inode:N` for an unnamed one
       */
      namespace: string;
      observed: ObservedNamespace;
      /** its part of the document after the change */
      part: NamespacePart;
      /** the running forwarders (host state, as in discover's document), when they differ from the last event's */
      forwarders?: Forwarder[];
    }
  | { type: 'namespace-removed'; namespace: string; forwarders?: Forwarder[] };

export type WatchDataType = WatchData['type'];

/** The client's picture of the host that watch events keep current. */
export interface WatchedHost {
  observed: ObservedHost;
  document: Topology;
}

const touches = (v: Veth, ns: string) => v.ends[0].namespace === ns || v.ends[1].namespace === ns;
const vethId = (v: Veth) => `${v.ends[0].namespace}/${v.ends[0].name}|${v.ends[1].namespace}/${v.ends[1].name}`;

/**
 * `ns`'s part of `doc` replaced by `part` (undefined: removed). Everything else
 * keeps its identity and its place (so a drawn grid does not reshuffle); a
 * namespace entry, bridge or veth that is new goes at the end.
 */
export function replacePart(doc: Topology, ns: string, part: NamespacePart | undefined): Topology {
  const namespaces = replaceWhere(
    doc.namespaces,
    (n) => n.name === ns,
    part?.entry ? [part.entry] : [],
    (n) => n.name,
  );
  const bridges = replaceWhere(
    doc.bridges,
    (b) => b.namespace === ns,
    part?.bridges ?? [],
    (b) => `${b.namespace}/${b.name}`,
  );
  const veths = replaceWhere(doc.veths, (v) => touches(v, ns), part?.veths ?? [], vethId);
  return { ...doc, namespaces, bridges, veths };
}

/**
 * Items matching `mine` replaced by `next`: an item of `next` with the key of an
 * old one takes its place, old ones not in `next` go, the rest of `next` is
 * appended. Returns `items` itself when nothing changed.
 */
function replaceWhere<T>(items: T[], mine: (t: T) => boolean, next: T[], key: (t: T) => string): T[] {
  const byKey = new Map(next.map((t) => [key(t), t]));
  const out: T[] = [];
  let changed = false;
  for (const t of items) {
    if (!mine(t)) {
      out.push(t);
      continue;
    }
    const k = key(t);
    const n = byKey.get(k);
    byKey.delete(k);
    if (n === undefined) changed = true;
    else {
      if (n !== t) changed = true;
      out.push(n);
    }
  }
  for (const t of byKey.values()) {
    changed = true;
    out.push(t);
  }
  return changed ? out : items;
}

/** The observed host with `ns` replaced by `one` (undefined: removed), the others untouched and in place. */
export function replaceObserved(observed: ObservedHost, ns: string, one: ObservedNamespace | undefined): ObservedHost {
  const i = observed.namespaces.findIndex((n) => n.name === ns);
  const namespaces = [...observed.namespaces];
  if (i >= 0 && one) namespaces[i] = one;
  else if (i >= 0) namespaces.splice(i, 1);
  else if (one) namespaces.push(one);
  else return observed;
  return { ...observed, namespaces };
}

/** The host after one event: a resync replaces it, any other event replaces one namespace. */
export function applyWatchData(host: WatchedHost | undefined, data: WatchData): WatchedHost | undefined {
  if (data.type === 'resync') return { observed: data.observed, document: data.document };
  if (!host) return undefined; // nothing to apply a diff to: wait for the resync
  const removed = data.type === 'namespace-removed';
  let document = replacePart(host.document, data.namespace, removed ? undefined : data.part);
  if (data.forwarders) document = { ...document, forwarders: data.forwarders };
  return { observed: replaceObserved(host.observed, data.namespace, removed ? undefined : data.observed), document };
}
