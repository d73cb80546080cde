/**
 * A ping's hops as canvas ids (../model/ids.ts nodeId): the namespaces and
 * bridges it passes and the veth edges it crosses, and where it fails, so the
 * app can highlight the path hop by hop or mark the failing hop.
 *
 * Pure: no node:* imports.
 */
import { nodeId } from '../model/ids';
import type { Topology } from '../model/schema';
import type { ReachResult } from './result';

export interface PathIds {
  nodes: string[];
  edges: string[];
  /** the node of the failing hop (its namespace, or the bridge it names) */
  failNode?: string;
}

export function pathIds(doc: Topology, r: ReachResult): PathIds {
  const vethOf = new Map<string, string>();
  for (const v of doc.veths) {
    const id = nodeId.veth(v.ends[0].namespace, v.ends[0].name);
    for (const e of v.ends) vethOf.set(`${e.namespace}/${e.name}`, id);
  }
  const bridges = new Set(doc.bridges.map((b) => `${b.namespace}/${b.name}`));
  const nodes: string[] = [];
  const edges: string[] = [];
  const add = (list: string[], id: string | undefined) => {
    if (id && !list.includes(id)) list.push(id);
  };
  for (const h of r.hops) {
    if (h.kind === 'fail') continue;
    add(nodes, nodeId.namespace(h.ns));
    if (!h.iface) continue;
    if (bridges.has(`${h.ns}/${h.iface}`)) add(nodes, nodeId.bridge(h.ns, h.iface));
    if (h.kind === 'send' || h.kind === 'forward' || h.kind === 'receive') add(edges, vethOf.get(`${h.ns}/${h.iface}`));
  }
  const f = r.failure;
  const failNode = f ? (f.iface && bridges.has(`${f.ns}/${f.iface}`) ? nodeId.bridge(f.ns, f.iface) : nodeId.namespace(f.ns)) : undefined;
  return { nodes, edges, ...(failNode ? { failNode } : {}) };
}
