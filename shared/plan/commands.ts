/**
 * The commands the planner emits, one builder per kernel operation, each named
 * after and documented with the iproute2 command it equals. All return a
 * Command: the typed operation (shared/model/step-op.ts) with the namespace and
 * argv ./render.ts makes of it (never a shell string); `host` is the root namespace.
 */
import { HOST_NS } from '../model/constants';
import type { ExternalRef } from '../model/external';
import type { Dns, Forwarder, NatRule, PolicyRule, Route } from '../model/schema';
import type { Command } from '../model/step';
import { MAIN_TABLE } from '../model/tables';
import type { CheckOp } from '../model/step-op';
import { canonicalForwarder } from './state';
import { command as c, resolvConf, resolvConfPath } from './render';

export { resolvConf, resolvConfPath };

/** ip netns add NS (run in the host) */
export const netnsAdd = (ns: string) => c({ op: 'netns.add', name: ns });
/** ip netns del NS */
export const netnsDel = (ns: string) => c({ op: 'netns.del', name: ns });

/**
 * ip netns attach NS PID, or a bind mount of the namespace file at /run/netns/NS,
 * or the PID a container runtime reports (run in the host): names an external
 * namespace (shared/model/external.ts), never creates one. `goneOk`: skipped
 * when that namespace no longer exists (teardown).
 */
export const netnsAttach = (ns: string, ref: ExternalRef, goneOk = false) =>
  c({ op: 'netns.attach', name: ns, ref, ...(goneOk ? { goneOk: true as const } : {}) });
/** ip netns del NS of an attached name: the name goes, the namespace lives on */
export const netnsDetach = (ns: string) => c({ op: 'netns.detach', name: ns });

export interface End {
  ns: string;
  name: string;
}

/**
 * ip [-n A.ns] link add name A.name type veth peer name B.name [netns B.ns]:
 * created in A's namespace, the peer lands directly in B's.
 */
export function vethAdd(a: End, b: End): Command {
  return c({ op: 'link.veth', ns: a.ns, name: a.name, peer: { ns: b.ns, name: b.name } });
}

/**
 * Which end a veth pair is created from. A command cannot name the root namespace
 * from inside another one, so a pair with an end in `host` is made from the host
 * (the other end goes out with `netns`); otherwise from the document's first end.
 */
export function vethCreator(e0: End, e1: End): [End, End] {
  if (e0.ns === HOST_NS) return [e0, e1];
  if (e1.ns === HOST_NS) return [e1, e0];
  return [e0, e1];
}

/** ip link add name NAME type bridge */
export const bridgeAdd = (ns: string, name: string) => c({ op: 'link.bridge', ns, name });
/** ip link add name NAME type vrf table T */
export const vrfAdd = (ns: string, name: string, table: number) => c({ op: 'link.vrf', ns, name, table });
/** ip link del dev NAME (a veth takes its peer with it) */
export const linkDel = (ns: string, name: string) => c({ op: 'link.del', ns, name });
/** ip link set dev NAME up|down */
export const linkSetUp = (ns: string, name: string, up: boolean) => c({ op: 'link.state', ns, name, up });
/** ip link set dev NAME mtu N */
export const linkSetMtu = (ns: string, name: string, mtu: number) => c({ op: 'link.mtu', ns, name, mtu });
/** ip link set dev NAME master M | nomaster */
export const linkSetMaster = (ns: string, name: string, master: string | undefined) => c({ op: 'link.master', ns, name, ...(master ? { master } : {}) });
/** ip link show dev NAME: prints the link when it exists */
export const linkShow = (ns: string, name: string) => c({ op: 'link.show', ns, name });
/** ip link show dev NAME up: prints the link only when it is administratively up */
export const linkShowUp = (ns: string, name: string) => c({ op: 'link.show', ns, name, up: true });

/** ip addr add CIDR dev NAME [nodad] (nodad: an IPv6 address usable at once, without duplicate address detection) */
export const addrAdd = (ns: string, dev: string, cidr: string, nodad = false) =>
  c({ op: 'addr.add', ns, dev, cidr, ...(nodad ? { nodad: true as const } : {}) });
/** ip addr del CIDR dev NAME */
export const addrDel = (ns: string, dev: string, cidr: string) => c({ op: 'addr.del', ns, dev, cidr });
/** ip addr show dev NAME to ADDR/32: prints the link when it holds that address */
export function addrShow(ns: string, dev: string, cidr: string): Command {
  const a = cidr.split('/')[0];
  return c({ op: 'addr.show', ns, dev, cidr: `${a}/${a.includes(':') ? 128 : 32}` });
}

/** ip [-6] rule add SPEC */
export const ruleAdd = (ns: string, rule: PolicyRule) => c({ op: 'rule.add', ns, rule });
/** ip [-6] rule del SPEC */
export const ruleDel = (ns: string, rule: PolicyRule) => c({ op: 'rule.del', ns, rule });
/**
 * ip [-6] rule show SELECTORS [table T]: prints the rule when it exists. `show`
 * takes no action, so the check's rule holds the selectors and, for a lookup,
 * its table (main when the rule names none).
 */
export function ruleShow(ns: string, r: PolicyRule): Command {
  const { action, table, ...selectors } = r;
  return c({ op: 'rule.show', ns, rule: !action || action === 'lookup' ? { ...selectors, table: table ?? MAIN_TABLE } : selectors });
}
/** ip [-6] route add SPEC */
export const routeAdd = (ns: string, route: Route) => c({ op: 'route.add', ns, route });
/** ip [-6] route del SPEC */
export const routeDel = (ns: string, route: Route) => c({ op: 'route.del', ns, route });
/** ip [-6] route replace SPEC (same destination, table and metric: one route, new details) */
export const routeReplace = (ns: string, route: Route) => c({ op: 'route.replace', ns, route });
/** ip [-6] route show [type T] [table T] exact TO [via] [dev] [metric]: prints the route when it exists */
export const routeShow = (ns: string, route: Route) => c({ op: 'route.show', ns, route });

/** sysctl -q -w KEY=VALUE (run inside the namespace) */
export const sysctlSet = (ns: string, key: string, value: string) => c({ op: 'sysctl.set', ns, key, value });

const NAT_OP = { '-A': 'nat.append', '-D': 'nat.delete', '-C': 'nat.check' } as const;
/** iptables -w -t nat -A|-D|-C CHAIN ... (run inside the namespace) */
export const natRule = (ns: string, op: '-A' | '-D' | '-C', rule: NatRule) => c({ op: NAT_OP[op], ns, rule });
const ACCEPT_OP = { '-I': 'accept.insert', '-D': 'accept.delete', '-C': 'accept.check' } as const;
/**
 * iptables -w -t filter -I|-D|-C FORWARD -i BR -o BR -m comment --comment netns-studio:bridge:BR -j ACCEPT
 * (run inside the namespace): with bridge netfilter on, what a bridge forwards
 * between its ports passes this FORWARD chain, in and out through the bridge
 * itself. Inserted first, so it comes before a DROP that rules further down add.
 */
export const acceptRule = (ns: string, op: '-I' | '-D' | '-C', bridge: string) => c({ op: ACCEPT_OP[op], ns, bridge });

/** Parses what resolvConf writes (and ordinary resolv.conf files). */
export function parseResolvConf(text: string): Dns {
  const nameservers: string[] = [];
  let search: string[] | undefined;
  for (const line of text.split('\n')) {
    const [k, ...v] = line.trim().split(/\s+/);
    if (k === 'nameserver' && v[0]) nameservers.push(v[0]);
    if (k === 'search' && v.length) search = v;
  }
  return { nameservers, ...(search ? { search } : {}) };
}
/** write-file /etc/netns/NS/resolv.conf CONTENT (the directory is made when missing) */
export const dnsWrite = (ns: string, dns: Dns) => c({ op: 'dns.write', ns, dns });
/** remove-file /etc/netns/NS/resolv.conf */
export const dnsRemove = (ns: string) => c({ op: 'dns.remove', ns });

/** forwarder-start NAME JSON: the helper's forwarder runtime starts it (listening in its namespace) */
export const forwarderStart = (f: Forwarder) => c({ op: 'forwarder.start', forwarder: canonicalForwarder(f) });
/** forwarder-stop NAME */
export const forwarderStop = (f: Forwarder) => c({ op: 'forwarder.stop', ns: f.listen.namespace, name: f.name });

/** An `exists` check that succeeds when the inner check fails ("already gone"). */
export const absent = (check: Command): Command => c({ op: 'not', check: check.op as CheckOp });
