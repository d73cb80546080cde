/**
 * The document each watch event carries, rebuilt only where it changed.
 * documentOf (helper/discover) over 500 namespaces costs ~12 ms, most of a
 * watch round's CPU; here it runs over the changed namespaces, their veth
 * neighbours and `host`, and the result replaces those namespaces' entries
 * (namespace, bridges, veths touching them) in the previous document. The merged
 * arrays are sorted with the same order toDocument uses. A change in `host`
 * itself (which decides whether `host` appears at all) rebuilds everything.
 *
 * NETNS_STUDIO_WATCH_SELFCHECK=1 also builds the whole document every time and
 * reports a difference (the tests run with it: the session then resyncs).
 */
import type { ObservedHost } from '../../shared/model/observed';
import { HOST_NS, type Topology } from '../../shared/model/schema';
import { documentOf } from '../discover/index';
import { endOrder, nsOrder } from '../discover/to-document';
import { envSetting } from '../env-overrides';

export interface DocumentView {
  onlyPrefix?: string;
  stripPrefix?: boolean;
}

export class DocumentCache {
  private last?: Topology;
  /** rounds where the incremental document differed from the whole one (self-check only) */
  mismatches = 0;

  constructor(private readonly view: DocumentView, private readonly docName: (name: string) => string) {}

  /** The whole document, from scratch (resyncs). */
  full(observed: ObservedHost): Topology {
    this.last = documentOf(observed, this.view);
    return this.last;
  }

  /**
   * The document after `changed` (added or changed namespaces, kernel names) and
   * `removed` (kernel names) — `observed` already holds the new state.
   */
  update(observed: ObservedHost, changed: Set<string>, removed: Set<string>): Topology {
    const prev = this.last;
    if (!prev || changed.has(HOST_NS) || removed.has(HOST_NS)) return this.full(observed);
    const byName = new Map(observed.namespaces.map((n) => [n.name, n]));
    const sub = new Set<string>([HOST_NS, ...changed]);
    for (const name of changed) for (const l of byName.get(name)?.links ?? []) if (l.peer?.namespace) sub.add(l.peer.namespace);
    const part = documentOf({ ...observed, namespaces: observed.namespaces.filter((n) => sub.has(n.name)) }, this.view);
    const touched = new Set([...changed, ...removed].map(this.docName));
    const doc: Topology = {
      ...part,
      namespaces: [
        ...prev.namespaces.filter((n) => !touched.has(n.name)),
        ...part.namespaces.filter((n) => touched.has(n.name)),
      ].sort((a, b) => nsOrder(a.name, b.name)),
      bridges: [
        ...prev.bridges.filter((b) => !touched.has(b.namespace)),
        ...part.bridges.filter((b) => touched.has(b.namespace)),
      ].sort((a, b) => nsOrder(a.namespace, b.namespace) || a.name.localeCompare(b.name)),
      veths: [
        ...prev.veths.filter((v) => !v.ends.some((e) => touched.has(e.namespace))),
        ...part.veths.filter((v) => v.ends.some((e) => touched.has(e.namespace))),
      ].sort((a, b) => endOrder(a.ends[0], b.ends[0])),
    };
    if (envSetting('NETNS_STUDIO_WATCH_SELFCHECK') === '1') {
      const whole = documentOf(observed, this.view);
      if (JSON.stringify(whole) !== JSON.stringify(doc)) {
        this.mismatches++;
        this.last = whole;
        return whole;
      }
    }
    this.last = doc;
    return doc;
  }
}
