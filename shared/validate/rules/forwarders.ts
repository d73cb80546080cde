/**
 * Rules about forwarders: unique names, a listen address the namespace really has
 * (or 0.0.0.0 / :: / loopback), a target that is an address or a host name, and no
 * two listeners on one address:port. `host` has addresses the document does not
 * describe, so an unknown listen address there is a warning. Listeners and the
 * namespaces' addresses are indexed by key (a hostile document has thousands):
 * nothing is compared pairwise.
 */
import { HOST_NS, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { ipKey, isHostname, isWildcardOrLoopback, parseIp } from '../ip';
import type { TopologyIndex } from '../topology-index';

export function forwarderRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const names = new Map<string, number>();
  /** namespace, protocol, port and family → the first listener there, the first on the wildcard, the first on each address */
  const listeners = new Map<string, { first: number; wildcard?: number; byIp: Map<string, number> }>();
  /** namespace → its addresses, built on first use */
  const nsAddrs = new Map<string, Set<string>>();
  const addressesOf = (ns: string) => {
    let set = nsAddrs.get(ns);
    if (!set) {
      nsAddrs.set(ns, (set = new Set()));
      for (const iface of ix.byNamespace.get(ns)?.values() ?? []) for (const a of iface.addresses) if (a.cidr) set.add(ipKey(a.cidr.addr));
    }
    return set;
  };
  t.forwarders.forEach((f, fi) => {
    const base = ['forwarders', fi];
    const first = names.get(f.name);
    if (first !== undefined) out.push(issue('duplicate-forwarder', [...base, 'name'], `forwarder ${q(f.name)} is already defined at forwarders[${first}]`));
    else names.set(f.name, fi);

    const ip = parseIp(f.listen.address);
    if (!ip) {
      out.push(
        issue(
          'invalid-ip',
          [...base, 'listen', 'address'],
          `listen address ${q(f.listen.address)} is not an IPv4 or IPv6 address (use 0.0.0.0 or :: for all addresses)`,
        ),
      );
    } else {
      const ns = f.listen.namespace;
      if (!isWildcardOrLoopback(ip) && ix.namespaces.has(ns)) {
        const has = addressesOf(ns).has(ipKey(ip));
        if (!has) {
          out.push(
            issue(
              'forwarder-listen-address',
              [...base, 'listen', 'address'],
              `namespace ${q(ns)} has no address ${f.listen.address} to listen on (give one of its interfaces that address, or listen on ${ip.kind() === 'ipv4' ? '0.0.0.0' : '::'})`,
              ns === HOST_NS ? 'warning' : 'error',
            ),
          );
        }
      }
      const slotKey = `${ns}\0${f.protocol}\0${f.listen.port}\0${ip.kind()}`;
      const key = ipKey(ip);
      const wildcard = ip.range() === 'unspecified';
      const slot = listeners.get(slotKey);
      // the earliest listener it clashes with: any, for a wildcard; else one on this address or on the wildcard
      const clash = !slot ? undefined : wildcard ? slot.first : Math.min(slot.byIp.get(key) ?? Infinity, slot.wildcard ?? Infinity);
      if (clash !== undefined && clash !== Infinity) {
        out.push(
          issue(
            'duplicate-listen',
            [...base, 'listen', 'port'],
            `${f.protocol} ${f.listen.address}:${f.listen.port} in namespace ${q(ns)} is already taken by forwarder ${q(t.forwarders[clash].name)}`,
          ),
        );
      }
      if (!slot) listeners.set(slotKey, { first: fi, wildcard: wildcard ? fi : undefined, byIp: new Map([[key, fi]]) });
      else {
        if (wildcard && slot.wildcard === undefined) slot.wildcard = fi;
        if (!slot.byIp.has(key)) slot.byIp.set(key, fi);
      }
    }
    if (!parseIp(f.target.address) && !isHostname(f.target.address)) {
      out.push(issue('invalid-ip', [...base, 'target', 'address'], `target address ${q(f.target.address)} is neither an IP address nor a host name`));
    }
  });
  return out;
}
