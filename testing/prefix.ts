/**
 * Renames the namespaces of a topology for a kernel-test sandbox: `host` stays
 * `host` (the sandbox's host namespace plays it, scripts run inside it), every
 * other namespace becomes its prefixed name, so tests never collide with real
 * namespaces or with each other. The layout is dropped: its keys name objects
 * by their old names and nothing in the kernel depends on it.
 */
import { HOST_NS, type Topology } from '../shared/model/schema';

export interface Renamer {
  ns(name: string): string;
}

export function prefixTopology(doc: Topology, sb: Renamer): Topology {
  const r = (name: string) => (name === HOST_NS ? HOST_NS : sb.ns(name));
  return {
    ...doc,
    namespaces: doc.namespaces.map((n) => ({ ...n, name: r(n.name) })),
    bridges: doc.bridges.map((b) => ({ ...b, namespace: r(b.namespace) })),
    veths: doc.veths.map((v) => ({
      ends: [
        { ...v.ends[0], namespace: r(v.ends[0].namespace) },
        { ...v.ends[1], namespace: r(v.ends[1].namespace) },
      ],
    })),
    forwarders: doc.forwarders.map((f) => ({
      ...f,
      listen: { ...f.listen, namespace: r(f.listen.namespace) },
      target: { ...f.target, namespace: r(f.target.namespace) },
    })),
    layout: undefined,
  };
}
