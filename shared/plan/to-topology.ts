/**
 * The document a planner state stands for (./state.ts): what a simulated apply
 * would leave, as a checked topology. Apart from ./state.ts because it loads the
 * schema (zod), which code that only plans or reads the host (discover) does not need.
 *
 * Pure: no node:* imports.
 */
import { Topology as TopologySchema, type Topology } from '../model/schema';
import { objectKey } from '../model/ids';
import { DEFAULT_MTU, cmp, hostFirst, type LinkState, type State } from './state';

/** The document a state stands for (canonical order: namespaces by name, links by key). */
export function toTopology(s: State): Topology {
  const nsNames = [...s.namespaces.keys()].sort(hostFirst);
  const addrsOf = (ns: string, dev: string) =>
    [...s.addresses.values()]
      .filter((a) => a.ns === ns && a.dev === dev)
      .map((a) => a.cidr)
      .sort();
  const links = [...s.links.entries()].sort(([a], [b]) => cmp(a, b)).map(([, l]) => l);
  const veths: Topology['veths'] = [];
  const seen = new Set<string>();
  for (const l of links) {
    if (l.kind !== 'veth' || seen.has(objectKey.link(l.ns, l.name))) continue;
    const peer = l.peer ? s.links.get(objectKey.link(l.peer.ns, l.peer.name)) : undefined;
    if (!peer) continue; // a veth whose other end we cannot see is not something a document can say
    seen.add(objectKey.link(l.ns, l.name));
    seen.add(objectKey.link(peer.ns, peer.name));
    const end = (e: LinkState) => ({
      namespace: e.ns,
      name: e.name,
      addresses: addrsOf(e.ns, e.name),
      up: e.up,
      ...(e.mtu !== undefined && e.mtu !== DEFAULT_MTU ? { mtu: e.mtu } : {}),
      ...(e.master ? { master: e.master } : {}),
    });
    const ends = l.end === 1 ? [end(peer), end(l)] : [end(l), end(peer)];
    veths.push({ ends: ends as Topology['veths'][number]['ends'] });
  }
  const doc = {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    metadata: {},
    namespaces: nsNames.map((name) => {
      const routes = [...s.routes.values()].filter((r) => r.ns === name).map((r) => r.route);
      const rules = [...s.rules.values()].filter((r) => r.ns === name).map((r) => r.rule);
      const sysctls = Object.fromEntries([...s.sysctls.values()].filter((x) => x.ns === name).map((x) => [x.key, x.value]));
      const nat = [...s.nat.values()].filter((x) => x.ns === name).map((x) => x.rule);
      const dns = s.dns.get(objectKey.dns(name))?.dns;
      const vrfs = links.filter((l) => l.kind === 'vrf' && l.ns === name).map((l) => ({ name: l.name, table: l.table ?? 0, up: l.up }));
      return { name, loopback: s.namespaces.get(name)!.loopback, sysctls, routes, nat, vrfs, ...(rules.length ? { rules } : {}), ...(dns ? { dns } : {}) };
    }),
    bridges: links
      .filter((l) => l.kind === 'bridge')
      .map((l) => ({
        name: l.name,
        namespace: l.ns,
        addresses: addrsOf(l.ns, l.name),
        up: l.up,
        ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
        ...(l.master ? { master: l.master } : {}),
        ...(s.accepts.has(objectKey.accept(l.ns, l.name)) ? { acceptForward: true } : {}),
      })),
    veths,
    forwarders: [...s.forwarders.values()],
  };
  return TopologySchema.parse(doc);
}
