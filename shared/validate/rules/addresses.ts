/**
 * Rules about interface addresses: each one parses as address/prefix, no address
 * twice in one namespace, and no two interfaces of one routing domain (the main
 * table or one VRF) on the same subnet, which makes the kernel pick one of two
 * connected routes and silently breaks the other.
 *
 * Hostile documents carry tens of thousands of addresses, so nothing here
 * compares addresses pairwise: two CIDR subnets overlap only when one holds the
 * other, so each subnet's overlaps are found by looking its network up at every
 * shorter prefix in use in its routing domain (at most 32 or 128), O(n · prefixes).
 * Each address gets at most one error (the earliest same subnet on another
 * interface) and one warning (the earliest nested subnet on another interface).
 */
import type { Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { formatPath, type DocPath } from '../../yaml/errors';
import { ipKey, networkKey, networkOf, type Cidr } from '../ip';
import { routingDomain, type InterfaceFact, type TopologyIndex } from '../topology-index';

interface Entry {
  f: InterfaceFact;
  cidr: Cidr;
  bytes: number[];
  /** document order */
  index: number;
  path: DocPath;
  /** namespace, routing domain and family: only subnets of one scope can clash */
  scope: string;
}

/** The earliest entry of a set, and the earliest on another interface than that one: enough to find "the earliest on an interface other than X". */
interface Earliest {
  first?: Entry;
  other?: Entry;
}
const add = (e: Earliest, x: Entry) => {
  if (!e.first) e.first = x;
  else if (!e.other && x.f !== e.first.f) e.other = x;
};
const otherThan = (e: Earliest, f: InterfaceFact): Entry | undefined => (e.first && e.first.f !== f ? e.first : e.other);

interface Subnet {
  /** entries on exactly this subnet */
  on: Earliest;
  /** entries on longer prefixes inside it */
  inside: Earliest;
}

export function addressRules(_t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const entries: Entry[] = [];
  const seenAddr = new Map<string, Entry>();
  const domains = new Map<InterfaceFact, string>();
  for (const f of ix.interfaces) {
    for (const a of f.addresses) {
      if (!a.cidr) {
        const hint = a.text.includes('/') ? '' : ' (it needs a prefix length, e.g. 10.0.0.1/24)';
        out.push(issue('invalid-address', [...a.path], `${q(a.text)} is not an IPv4/IPv6 address with prefix length${hint}`));
        continue;
      }
      const addrKey = `${f.namespace}\0${ipKey(a.cidr.addr)}`;
      const dup = seenAddr.get(addrKey);
      if (dup) {
        out.push(
          issue(
            'duplicate-address',
            [...a.path],
            `address ${a.cidr.addr.toString()} is already on ${q(dup.f.name)} in namespace ${q(f.namespace)} (${formatPath(dup.path)})`,
          ),
        );
        continue;
      }
      let domain = domains.get(f);
      if (domain === undefined) domains.set(f, (domain = routingDomain(ix, f)));
      const e: Entry = { f, cidr: a.cidr, bytes: a.cidr.addr.toByteArray(), index: entries.length, path: [...a.path], scope: `${f.namespace}\0${domain}\0` };
      seenAddr.set(addrKey, e);
      entries.push(e);
    }
  }

  const subnets = new Map<string, Subnet>();
  const prefixes = new Map<string, Set<number>>();
  const keyOf = (e: Entry, prefix = e.cidr.prefix) => e.scope + networkKey(e.cidr.kind, e.bytes, prefix);
  for (const e of entries) {
    const k = keyOf(e);
    let s = subnets.get(k);
    if (!s) subnets.set(k, (s = { on: {}, inside: {} }));
    add(s.on, e);
    const scope = e.scope + e.cidr.kind;
    let p = prefixes.get(scope);
    if (!p) prefixes.set(scope, (p = new Set()));
    p.add(e.cidr.prefix);
  }
  const sorted = new Map([...prefixes].map(([scope, set]) => [scope, [...set].sort((a, b) => a - b)]));
  /** the subnets in use that hold `e`'s subnet, shortest prefix first */
  const holders = (e: Entry): Subnet[] => {
    const found: Subnet[] = [];
    for (const p of sorted.get(e.scope + e.cidr.kind)!) {
      if (p >= e.cidr.prefix) break;
      const s = subnets.get(keyOf(e, p));
      if (s) found.push(s);
    }
    return found;
  };
  for (const e of entries) for (const s of holders(e)) add(s.inside, e);

  for (const a of entries) {
    const ns = a.f.namespace;
    const own = subnets.get(keyOf(a))!;
    const same = otherThan(own.on, a.f);
    if (same && same.index < a.index) {
      out.push(
        issue(
          'subnet-overlap',
          a.path,
          `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} is also on ${q(same.f.name)} in namespace ${q(ns)}: two connected routes for one subnet, so one interface becomes unreachable (put them on a bridge, or in different VRFs)`,
        ),
      );
    }
    // the earliest earlier subnet of another prefix that holds a, or that a holds
    let nested: Entry | undefined;
    const consider = (x: Entry | undefined) => {
      if (x && x.index < a.index && (!nested || x.index < nested.index)) nested = x;
    };
    for (const s of holders(a)) consider(otherThan(s.on, a.f));
    consider(otherThan(own.inside, a.f));
    if (nested) {
      out.push(
        issue(
          'subnet-overlap',
          a.path,
          `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} overlaps ${networkOf(nested.cidr)} of ${q(nested.f.name)} in namespace ${q(ns)}: the longer prefix wins for the shared addresses`,
          'warning',
        ),
      );
    }
  }
  return out;
}
