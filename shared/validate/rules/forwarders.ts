/**
 * Rules about forwarders: unique names, a listen address the namespace really has
 * (or 0.0.0.0 / :: / loopback), a target that is an address or a host name, and no
 * two listeners on one address:port. `host` has addresses the document does not
 * describe, so an unknown listen address there is a warning.
 */
import { HOST_NS, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { isHostname, isWildcardOrLoopback, parseIp, sameIp, type Ip } from '../ip';
import type { TopologyIndex } from '../topology-index';

export function forwarderRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const names = new Map<string, number>();
  const listeners: { fi: number; ns: string; proto: string; ip: Ip; port: number }[] = [];
  t.forwarders.forEach((f, fi) => {
    const base = ['forwarders', fi];
    const first = names.get(f.name);
    if (first !== undefined) out.push(issue('duplicate-forwarder', [...base, 'name'], `forwarder ${q(f.name)} is already defined at forwarders[${first}]`));
    else names.set(f.name, fi);

    const ip = parseIp(f.listen.address);
    if (!ip) {
      out.push(issue('invalid-ip', [...base, 'listen', 'address'], `listen address ${q(f.listen.address)} is not an IPv4 or IPv6 address (use 0.0.0.0 or :: for all addresses)`));
    } else {
      const ns = f.listen.namespace;
      if (!isWildcardOrLoopback(ip) && ix.namespaces.has(ns)) {
        const has = [...(ix.byNamespace.get(ns)?.values() ?? [])].some((iface) => iface.addresses.some((a) => a.cidr && sameIp(a.cidr.addr, ip)));
        if (!has) {
          out.push(issue('forwarder-listen-address', [...base, 'listen', 'address'], `namespace ${q(ns)} has no address ${f.listen.address} to listen on (give one of its interfaces that address, or listen on ${ip.kind() === 'ipv4' ? '0.0.0.0' : '::'})`, ns === HOST_NS ? 'warning' : 'error'));
        }
      }
      const clash = listeners.find((l) => l.ns === ns && l.proto === f.protocol && l.port === f.listen.port && l.ip.kind() === ip.kind() && (sameIp(l.ip, ip) || l.ip.range() === 'unspecified' || ip.range() === 'unspecified'));
      if (clash) {
        out.push(issue('duplicate-listen', [...base, 'listen', 'port'], `${f.protocol} ${f.listen.address}:${f.listen.port} in namespace ${q(ns)} is already taken by forwarder ${q(t.forwarders[clash.fi].name)}`));
      }
      listeners.push({ fi, ns, proto: f.protocol, ip, port: f.listen.port });
    }
    if (!parseIp(f.target.address) && !isHostname(f.target.address)) {
      out.push(issue('invalid-ip', [...base, 'target', 'address'], `target address ${q(f.target.address)} is neither an IP address nor a host name`));
    }
  });
  return out;
}
