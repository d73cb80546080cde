/**
 * The document side of watch events: the whole document for a resync, and for
 * every other event only the changed namespace's part of it (shared/protocol/watch.ts
 * `NamespacePart`: its entry, its bridges, the veths with an end in it).
 * documentOf (helper/discover) over 500 namespaces costs ~12 ms; a part is built
 * by running it over the changed namespaces, their veth neighbours and `host`
 * only, and picking what touches each changed one. Nothing here holds or builds
 * the whole host per event.
 *
 * NETNS_STUDIO_WATCH_SELFCHECK=1 also keeps the document a client would hold
 * (the last resync with every part applied, shared `replacePart`) and compares
 * it with a whole one each round, reporting a difference (the tests run with it:
 * the session then resyncs).
 */
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS, type Topology } from '../../shared/model/schema';
import { replacePart, type NamespacePart } from '../../shared/protocol/watch';
import { documentOf } from '../discover/index';
import { endOrder, nsOrder } from '../discover/to-document';
import { envSetting } from '../env-overrides';

export interface DocumentView {
  onlyPrefix?: string;
  stripPrefix?: boolean;
}

const selfCheck = () => envSetting('NETNS_STUDIO_WATCH_SELFCHECK') === '1';

export class DocumentParts {
  /** self-check only: the document a client holds after the events sent so far */
  private clientDoc?: Topology;
  /** rounds where the client's document differed from a whole one (self-check only) */
  mismatches = 0;

  constructor(
    private readonly view: DocumentView,
    private readonly docName: (name: string) => string,
  ) {}

  /** The whole document, from scratch (resyncs). */
  full(observed: ObservedHost): Topology {
    const doc = documentOf(observed, this.view);
    if (selfCheck()) this.clientDoc = doc;
    return doc;
  }

  /**
   * The part of each namespace in `changed` (kernel names; `observedOf` already
   * answers with the new state). `removed` namespaces have no part; with the
   * self-check, `whole` gives the whole observed host to compare against.
   */
  parts(
    observedOf: (name: string) => ObservedNamespace | undefined,
    changed: string[],
    removed: string[],
    whole?: () => ObservedHost,
  ): Map<string, NamespacePart> {
    const sub = new Set<string>([HOST_NS, ...changed]);
    for (const name of changed) for (const l of observedOf(name)?.links ?? []) if (l.peer?.namespace) sub.add(l.peer.namespace);
    const namespaces = [...sub].map(observedOf).filter((n): n is ObservedNamespace => !!n);
    const doc = changed.length ? documentOf({ readAt: 0, durationMs: 0, namespaces, warnings: [] }, this.view) : undefined;
    const out = new Map<string, NamespacePart>();
    for (const name of changed) {
      const dn = this.docName(name);
      const entry = doc!.namespaces.find((n) => n.name === dn);
      out.set(name, {
        ...(entry ? { entry } : {}),
        bridges: doc!.bridges.filter((b) => b.namespace === dn),
        veths: doc!.veths.filter((v) => v.ends.some((e) => e.namespace === dn)),
      });
    }
    if (selfCheck() && this.clientDoc && whole) {
      let mine = this.clientDoc;
      for (const name of removed) mine = replacePart(mine, this.docName(name), undefined);
      for (const [name, part] of out) mine = replacePart(mine, this.docName(name), part);
      const fresh = documentOf(whole(), this.view);
      if (!samePicture(mine, fresh)) {
        this.mismatches++;
        this.clientDoc = fresh;
      } else this.clientDoc = mine;
    }
    return out;
  }
}

/** Document order (as toDocument sorts): parts applied by a client keep their own order, which says nothing. */
export function sortedDocument(doc: Topology): Topology {
  return {
    ...doc,
    namespaces: [...doc.namespaces].sort((a, b) => nsOrder(a.name, b.name)),
    bridges: [...doc.bridges].sort((a, b) => nsOrder(a.namespace, b.namespace) || a.name.localeCompare(b.name)),
    veths: [...doc.veths].sort((a, b) => endOrder(a.ends[0], b.ends[0])),
  };
}

/** The same namespaces, bridges and veths (forwarders are compared by the session itself). */
export function samePicture(a: Topology, b: Topology): boolean {
  const shape = (d: Topology) => JSON.stringify({ ...sortedDocument(d), forwarders: [] });
  return shape(a) === shape(b);
}
