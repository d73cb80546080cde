/**
 * The facts most rules need, gathered once: which namespaces exist and which
 * interfaces (veth ends, bridges, VRFs) each one holds, with their document paths.
 */
import { HOST_NS, type Topology } from '../model/schema';
import type { DocPath } from '../yaml/errors';
import { parseCidr, type Cidr } from './ip';

export type InterfaceKind = 'veth' | 'bridge' | 'vrf';

export interface InterfaceFact {
  namespace: string;
  name: string;
  kind: InterfaceKind;
  /** Path of the object (the veth end, bridge or VRF). */
  path: DocPath;
  master?: string;
  addresses: { text: string; cidr: Cidr | null; path: DocPath }[];
}

export interface TopologyIndex {
  /** Declared namespaces plus the implicit `host`. */
  namespaces: Set<string>;
  interfaces: InterfaceFact[];
  /** namespace → interface name → facts (first declaration wins; duplicates are a rule of their own). */
  byNamespace: Map<string, Map<string, InterfaceFact>>;
}

export function indexTopology(t: Topology): TopologyIndex {
  const namespaces = new Set<string>([HOST_NS, ...t.namespaces.map((n) => n.name)]);
  const interfaces: InterfaceFact[] = [];
  const addrs = (list: string[], base: DocPath) => list.map((text, i) => ({ text, cidr: parseCidr(text), path: [...base, 'addresses', i] }));
  // Document order (namespaces with their VRFs, bridges, veths), so duplicates are reported on the later one.
  t.namespaces.forEach((n, ni) =>
    n.vrfs.forEach((v, vi) => interfaces.push({ namespace: n.name, name: v.name, kind: 'vrf', path: ['namespaces', ni, 'vrfs', vi], addresses: [] })),
  );
  t.bridges.forEach((b, bi) => {
    const path = ['bridges', bi];
    interfaces.push({ namespace: b.namespace, name: b.name, kind: 'bridge', path, master: b.master, addresses: addrs(b.addresses, path) });
  });
  t.veths.forEach((v, vi) =>
    v.ends.forEach((e, ei) => {
      const path = ['veths', vi, 'ends', ei];
      interfaces.push({ namespace: e.namespace, name: e.name, kind: 'veth', path, master: e.master, addresses: addrs(e.addresses, path) });
    }),
  );
  const byNamespace = new Map<string, Map<string, InterfaceFact>>();
  for (const f of interfaces) {
    let m = byNamespace.get(f.namespace);
    if (!m) byNamespace.set(f.namespace, (m = new Map()));
    if (!m.has(f.name)) m.set(f.name, f);
  }
  return { namespaces, interfaces, byNamespace };
}

/** The routing domain an interface's addresses live in: its VRF, or '' for the main table. */
export function routingDomain(ix: TopologyIndex, f: InterfaceFact): string {
  let cur: InterfaceFact | undefined = f;
  for (let hops = 0; cur?.master && hops < 3; hops++) {
    const m: InterfaceFact | undefined = ix.byNamespace.get(cur.namespace)?.get(cur.master);
    if (!m) return '';
    if (m.kind === 'vrf') return m.name;
    cur = m;
  }
  return '';
}
