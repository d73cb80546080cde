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
import { routeTableId } from '../../model/tables';

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
          out.push(
            issue('route-prefix-host-bits', [...base, 'to'], `route destination ${q(r.to)} has host bits set; the kernel refuses it (did you mean ${key}?)`),
          );
        }
      }
      const via = r.via === undefined ? undefined : parseIp(r.via);
      if (r.via !== undefined && !via) out.push(issue('invalid-ip', [...base, 'via'], `gateway ${q(r.via)} is not an IPv4 or IPv6 address`));
      const src = r.src === undefined ? undefined : parseIp(r.src);
      if (r.src !== undefined && !src) out.push(issue('invalid-ip', [...base, 'src'], `source ${q(r.src)} is not an IPv4 or IPv6 address`));
      if (via && family && via.kind() !== family) {
        out.push(
          issue('route-family-mismatch', [...base, 'via'], `gateway ${r.via} is ${via.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} but the destination ${r.to} is not`),
        );
      }
      const type = r.type ?? 'unicast';
      const multipath = r.nexthops !== undefined;
      if (multipath && (r.via !== undefined || r.dev !== undefined || r.onlink)) {
        out.push(
          issue(
            'route-multipath',
            [...base, r.via !== undefined ? 'via' : r.dev !== undefined ? 'dev' : 'onlink'],
            'a multipath route says its gateways in `nexthops`: drop via/dev/onlink',
          ),
        );
      } else if (multipath && type !== 'unicast') {
        out.push(issue('route-multipath', [...base, 'nexthops'], `a ${type} route has no next hops: drop \`nexthops\``));
      } else if (type === 'local') {
        if (r.via !== undefined) out.push(issue('route-type-nexthop', [...base, 'via'], 'a local route has no gateway: drop via'));
        if (r.dev === undefined) out.push(issue('route-no-nexthop', base, 'a local route needs `dev`: the interface that owns the addresses (often lo)'));
      } else if (type !== 'unicast' && (r.via !== undefined || r.dev !== undefined)) {
        out.push(issue('route-type-nexthop', [...base, r.via !== undefined ? 'via' : 'dev'], `a ${type} route has no next hop: drop via/dev`));
      }
      if (type === 'unicast' && !multipath && r.via === undefined && r.dev === undefined) {
        out.push(issue('route-no-nexthop', base, 'a route needs `via` (a gateway) or `dev` (an interface)'));
      }
      if (r.onlink && r.dev === undefined && !multipath)
        out.push(issue('route-no-nexthop', [...base, 'onlink'], 'an onlink route needs `dev`: the link the gateway is on'));
      const hops = multipath
        ? r.nexthops!.map((h, hi) => ({ ...h, path: [...base, 'nexthops', hi] }))
        : [{ via: r.via, dev: r.dev, onlink: r.onlink, path: base }];
      for (const h of hops) {
        if (multipath && h.via === undefined && h.dev === undefined)
          out.push(issue('route-multipath', h.path, 'each next hop needs `via` (a gateway) or `dev` (an interface)'));
        const hvia = h.via === undefined ? undefined : parseIp(h.via);
        if (multipath && h.via !== undefined && !hvia) out.push(issue('invalid-ip', [...h.path, 'via'], `gateway ${q(h.via)} is not an IPv4 or IPv6 address`));
        if (multipath && hvia && family && hvia.kind() !== family) {
          out.push(
            issue(
              'route-family-mismatch',
              [...h.path, 'via'],
              `gateway ${h.via} is ${hvia.kind() === 'ipv4' ? 'IPv4' : 'IPv6'} but the destination ${r.to} is not`,
            ),
          );
        }
        const dev = h.dev === undefined ? undefined : ifaces.get(h.dev);
        if (h.dev !== undefined && h.dev !== 'lo' && !dev) {
          out.push(issue('unknown-interface', [...h.path, 'dev'], `route dev ${q(h.dev)} is not an interface of namespace ${q(n.name)}`, soft));
        }
        if (!hvia || h.onlink) continue; // onlink: the kernel takes the gateway as on the link, whatever the subnets
        const linkLocal = hvia.range() === 'linkLocal' && hvia.kind() === 'ipv6';
        if (linkLocal && h.dev === undefined) {
          out.push(issue('gateway-unreachable', [...h.path, 'via'], `link-local gateway ${h.via} needs \`dev\` to say which link it is on`, soft));
        } else if (!linkLocal) {
          const candidates = dev ? addrsOf(dev) : nsAddrs;
          if (!candidates.covers(hvia)) {
            const nets = candidates.networks();
            const listed = nets.length > 8 ? `${nets.slice(0, 8).join(', ')} and ${nets.length - 8} more` : nets.join(', ');
            const where = dev ? `interface ${q(dev.name)}` : `namespace ${q(n.name)}`;
            out.push(
              issue(
                'gateway-unreachable',
                [...h.path, 'via'],
                `gateway ${h.via} is not on any subnet connected to ${where} (${nets.length ? listed : 'it has no addresses'})`,
                soft,
              ),
            );
          }
          if (candidates.has(hvia)) {
            out.push(issue('gateway-unreachable', [...h.path, 'via'], `gateway ${h.via} is an address of namespace ${q(n.name)} itself`, soft));
          }
        }
      }
      if (src && !nsAddrs.has(src) && src.range() !== 'loopback') {
        out.push(issue('route-src-not-local', [...base, 'src'], `source ${r.src} is not an address of namespace ${q(n.name)}; the kernel refuses it`, soft));
      }
      const table = routeTableId(r, n.tables) ?? String(r.table);
      const id = `${table}|${family ?? via?.kind() ?? ''}|${key}|${r.metric ?? 0}`;
      const first = seen.get(id);
      if (first !== undefined)
        out.push(
          issue(
            'duplicate-route',
            [...base, 'to'],
            `the same route (${r.to}, table ${r.table ?? (r.type === 'local' ? 'local' : 'main')}, metric ${r.metric ?? 0}) is already at routes[${first}]`,
          ),
        );
      else seen.set(id, ri);
    });
  });
  return out;
}
