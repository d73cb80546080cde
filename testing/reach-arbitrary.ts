/**
 * fast-check generator of small routed/bridged topologies for the reachability
 * property test: a random tree of namespaces (`host` and n0…n4), each edge a
 * veth pair on its own /24 (or a veth into a bridge in the parent namespace,
 * the bridge holding the parent's address), links sometimes down, routes to
 * random subnets via random neighbours (right, wrong or missing), default
 * routes, forwarding, rp_filter and a masquerade here and there, loopback
 * sometimes down. Everything the kernel accepts (the document validates), so
 * it can be applied to a sandbox and pinged.
 */
import fc from 'fast-check';
import { Topology, type TopologyInput } from '../shared/model/schema';
import { validateTopology } from '../shared/validate/validate';

const edge = fc.record({
  parent: fc.nat(5),
  bridged: fc.boolean(),
  upParent: fc.constantFrom(true, true, true, true, false),
  upChild: fc.constantFrom(true, true, true, true, true, false),
});
const nsAttrs = fc.record({
  forward: fc.constantFrom('0', '1', '1'),
  rp: fc.constantFrom('0', '0', '1', '2'),
  loopbackDown: fc.constantFrom(false, false, false, false, true),
  defaultVia: fc.option(fc.nat(5), { nil: undefined }),
  routes: fc.array(fc.record({ subnet: fc.nat(5), via: fc.nat(5) }), { maxLength: 3 }),
  masquerade: fc.option(fc.nat(5), { nil: undefined }),
});

export const reachUniverse = fc.record({
  size: fc.integer({ min: 2, max: 5 }),
  edges: fc.array(edge, { minLength: 5, maxLength: 5 }),
  attrs: fc.array(nsAttrs, { minLength: 6, maxLength: 6 }),
});

export type ReachUniverse = typeof reachUniverse extends fc.Arbitrary<infer T> ? T : never;

export function reachDocument(u: ReachUniverse): Topology {
  const names = ['host', ...Array.from({ length: u.size }, (_, i) => `n${i}`)];
  const t: TopologyInput = { apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [], bridges: [], veths: [] };
  /** per namespace: its interfaces with their address and the neighbour's address */
  const ifs = new Map<string, { dev: string; mine: string; peer: string; subnet: number }[]>(names.map((n) => [n, []]));
  for (let i = 1; i < names.length; i++) {
    const e = u.edges[i - 1];
    const parent = names[e.parent % i];
    const child = names[i];
    const childEnd = { namespace: child, name: `d${i}`, addresses: [`10.${i}.0.2/24`], up: e.upChild };
    if (e.bridged) {
      t.bridges!.push({ name: `b${i}`, namespace: parent, addresses: [`10.${i}.0.1/24`], up: e.upParent });
      t.veths!.push({ ends: [{ namespace: parent, name: `p${i}`, master: `b${i}`, up: true }, childEnd] });
      ifs.get(parent)!.push({ dev: `b${i}`, mine: `10.${i}.0.1`, peer: `10.${i}.0.2`, subnet: i });
    } else {
      t.veths!.push({ ends: [{ namespace: parent, name: `u${i}`, addresses: [`10.${i}.0.1/24`], up: e.upParent }, childEnd] });
      ifs.get(parent)!.push({ dev: `u${i}`, mine: `10.${i}.0.1`, peer: `10.${i}.0.2`, subnet: i });
    }
    ifs.get(child)!.push({ dev: `d${i}`, mine: `10.${i}.0.2`, peer: `10.${i}.0.1`, subnet: i });
  }
  names.forEach((n, k) => {
    const a = u.attrs[k];
    const mine = ifs.get(n)!;
    const routes: { to: string; via: string }[] = [];
    const direct = new Set(mine.map((x) => x.subnet));
    // routes go only via neighbours on links that are up (the kernel refuses others); wrong ones are fine
    const upIfs = mine.filter((x) => linkUp(t, n, x.dev));
    if (a.defaultVia !== undefined && upIfs.length) routes.push({ to: 'default', via: upIfs[a.defaultVia % upIfs.length].peer });
    for (const r of a.routes) {
      const subnet = (r.subnet % (names.length - 1)) + 1;
      if (direct.has(subnet) || !upIfs.length || routes.some((x) => x.to === `10.${subnet}.0.0/24`)) continue;
      routes.push({ to: `10.${subnet}.0.0/24`, via: upIfs[r.via % upIfs.length].peer });
    }
    const sysctls: Record<string, string> = {};
    if (a.forward === '1') sysctls['net.ipv4.ip_forward'] = '1';
    if (a.rp !== '0') sysctls['net.ipv4.conf.all.rp_filter'] = a.rp;
    const nat = a.masquerade !== undefined && mine.length ? [{ action: 'masquerade' as const, outInterface: mine[a.masquerade % mine.length].dev }] : [];
    t.namespaces!.push({
      name: n,
      ...(n !== 'host' && a.loopbackDown ? { loopback: 'down' as const } : {}),
      routes,
      sysctls: n === 'host' ? {} : sysctls,
      nat: n === 'host' ? [] : nat,
    });
  });
  return Topology.parse(t);
}

function linkUp(t: TopologyInput, ns: string, dev: string): boolean {
  const b = t.bridges!.find((x) => x.namespace === ns && x.name === dev);
  if (b) return b.up !== false;
  for (const v of t.veths!) for (const e of v.ends) if (e.namespace === ns && e.name === dev) return e.up !== false;
  return false;
}

/** Documents that validate (errors only; warnings are fine). */
export const reachTopology = reachUniverse.map(reachDocument).filter((d) => !validateTopology(d).some((i) => i.severity === 'error'));
