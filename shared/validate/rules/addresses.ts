/**
 * Rules about interface addresses: each one parses as address/prefix, no address
 * twice in one namespace, and no two interfaces of one routing domain (the main
 * table or one VRF) on the same subnet, which makes the kernel pick one of two
 * connected routes and silently breaks the other.
 */
import type { Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { formatPath } from '../../yaml/errors';
import { networkOf, sameIp, subnetsOverlap, type Cidr } from '../ip';
import { routingDomain, type InterfaceFact, type TopologyIndex } from '../topology-index';

export function addressRules(_t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const perNs = new Map<string, { f: InterfaceFact; cidr: Cidr; text: string; path: (string | number)[] }[]>();
  for (const f of ix.interfaces) {
    for (const a of f.addresses) {
      if (!a.cidr) {
        const hint = a.text.includes('/') ? '' : ' (it needs a prefix length, e.g. 10.0.0.1/24)';
        out.push(issue('invalid-address', [...a.path], `${q(a.text)} is not an IPv4/IPv6 address with prefix length${hint}`));
        continue;
      }
      const list = perNs.get(f.namespace) ?? [];
      perNs.set(f.namespace, list);
      const dup = list.find((o) => sameIp(o.cidr.addr, a.cidr!.addr));
      if (dup) {
        out.push(issue('duplicate-address', [...a.path], `address ${a.cidr.addr.toString()} is already on ${q(dup.f.name)} in namespace ${q(f.namespace)} (${formatPath(dup.path)})`));
        continue;
      }
      list.push({ f, cidr: a.cidr, text: a.text, path: [...a.path] });
    }
  }
  for (const [ns, list] of perNs) {
    for (let i = 0; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = list[i];
        const b = list[j];
        if (a.f === b.f || !subnetsOverlap(a.cidr, b.cidr) || routingDomain(ix, a.f) !== routingDomain(ix, b.f)) continue;
        if (a.cidr.prefix === b.cidr.prefix) {
          out.push(issue('subnet-overlap', a.path, `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} is also on ${q(b.f.name)} in namespace ${q(ns)}: two connected routes for one subnet, so one interface becomes unreachable (put them on a bridge, or in different VRFs)`));
        } else {
          out.push(issue('subnet-overlap', a.path, `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} overlaps ${networkOf(b.cidr)} of ${q(b.f.name)} in namespace ${q(ns)}: the longer prefix wins for the shared addresses`, 'warning'));
        }
      }
    }
  }
  return out;
}
