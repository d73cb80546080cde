/**
 * Rules about static routes: a valid destination without host bits, a gateway of
 * the same family that sits on a subnet the namespace is connected to, a `dev`
 * that exists there, and no route twice. The `host` namespace has interfaces the
 * document does not describe (eth0…), so there these are warnings. The
 * namespace's and each interface's addresses are indexed (address-set.ts), so
 * routes × addresses are never walked pairwise.
 */
import { HOST_NS, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { networkOf, parseCidr, parseIp } from '../ip';
import { AddressSet } from '../address-set';
import type { InterfaceFact, TopologyIndex } from '../topology-index';

export function routeRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.namespaces.forEach((n, ni) => {
    const onHost = n.name === HOST_NS;
    const soft = onHost ? 'warning' : 'error';
    const ifaces = ix.byNamespace.get(n.name) ?? new Map<string, InterfaceFact>();
    const cidrsOf = (f: InterfaceFact) => f.addresses.flatMap((a) => (a.cidr ? [a.cidr] : []));
    const nsAddrs = new AddressSet([...ifaces.values()].flatMap(cidrsOf));
    const devAddrs = new Map<InterfaceFact, AddressSet>();
    const addrsOf = (f: InterfaceFact) => devAddrs.get(f) ?? devAddrs.set(f, new AddressSet(cidrsOf(f))).get(f)!;
    const seen = new Map<string, number>();
    n.routes.forEach((r, ri) => {
      const base = ['namespaces', ni, 'routes', ri];
      let family: 'ipv4' | 'ipv6' | undefined;
      let key = r.to;
      if (r.to !== 'default') {
        const c = parseCidr(r.to) ?? (parseIp(r.to) ? parseCidr(`${r.to}/${r.to.includes(':') ? 128 : 32}`) : null);
        if (!c) {
          out.push(issue('invalid-prefix', [...base, 'to'], `route destination ${q(r.to)} is neither \`default\` nor a prefix such as 10.1.0.0/16`));
          return;
        }
        family = c.kind;
        key = networkOf(c);
        if (key !== `${c.addr.toString()}/${c.prefix}` && r.to.includes('/')) {
          out.push(issue('route-prefix-host-bits', [...base, 'to'], `route destination ${q(r.to)} has host bits set; the kernel refuses it (did you mean ${key}?)`));
        }
      }
      const via = r.via === undefined ? undefined : parseIp(r.via);
      if (r.via !== undefined && !via) out.push(issue('invalid-ip', [...base, 'via'], `gateway ${q(r.via)} is not an IPv4 or IPv6 address`));
      const src = r.src === undefined ? undefined : parseIp(r.src);
      if (r.src !== undefined && !src) out.push(issue('invalid-ip', [...base, 'src'], `source ${q(r.src)} is not an IPv4 or IPv6 address`));
      if (via && family && via.kind() !== family) {
        out.push(issue('route-family-mismatch', [...base, 'via'], `gateway ${r.via} is ${via.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} but the destination ${r.to} is not`));
      }
      const type = r.type ?? 'unicast';
      if (type !== 'unicast' && (r.via !== undefined || r.dev !== undefined)) {
        out.push(issue('route-type-nexthop', [...base, r.via !== undefined ? 'via' : 'dev'], `a ${type} route has no next hop: drop via/dev`));
      }
      if (type === 'unicast' && r.via === undefined && r.dev === undefined) {
        out.push(issue('route-no-nexthop', base, 'a route needs `via` (a gateway) or `dev` (an interface)'));
      }
      const dev = r.dev === undefined ? undefined : ifaces.get(r.dev);
      if (r.dev !== undefined && r.dev !== 'lo' && !dev) {
        out.push(issue('unknown-interface', [...base, 'dev'], `route dev ${q(r.dev)} is not an interface of namespace ${q(n.name)}`, soft));
      }
      if (via) {
        const linkLocal = via.range() === 'linkLocal' && via.kind() === 'ipv6';
        if (linkLocal && r.dev === undefined) {
          out.push(issue('gateway-unreachable', [...base, 'via'], `link-local gateway ${r.via} needs \`dev\` to say which link it is on`, soft));
        } else if (!linkLocal) {
          const candidates = dev ? addrsOf(dev) : nsAddrs;
          if (!candidates.covers(via)) {
            const nets = candidates.networks();
            const listed = nets.length > 8 ? `${nets.slice(0, 8).join(', ')} and ${nets.length - 8} more` : nets.join(', ');
            const where = dev ? `interface ${q(dev.name)}` : `namespace ${q(n.name)}`;
            out.push(issue('gateway-unreachable', [...base, 'via'], `gateway ${r.via} is not on any subnet connected to ${where} (${nets.length ? listed : 'it has no addresses'})`, soft));
          }
          if (candidates.has(via)) {
            out.push(issue('gateway-unreachable', [...base, 'via'], `gateway ${r.via} is an address of namespace ${q(n.name)} itself`, soft));
          }
        }
      }
      if (src && !nsAddrs.has(src) && src.range() !== 'loopback') {
        out.push(issue('route-src-not-local', [...base, 'src'], `source ${r.src} is not an address of namespace ${q(n.name)}; the kernel refuses it`, soft));
      }
      const id = `${r.table ?? 254}|${family ?? (via?.kind() ?? '')}|${key}|${r.metric ?? 0}`;
      const first = seen.get(id);
      if (first !== undefined) out.push(issue('duplicate-route', [...base, 'to'], `the same route (${r.to}, table ${r.table ?? 'main'}, metric ${r.metric ?? 0}) is already at routes[${first}]`));
      else seen.set(id, ri);
    });
  });
  return out;
}
