/**
 * The commands the planner emits, one builder per kernel operation, each named
 * after and documented with the iproute2 command it equals. All return a
 * Command (namespace + argv, never a shell string); `host` is the root namespace.
 * ./simulate.ts parses exactly these forms back.
 */
import { HOST_NS, type Dns, type Forwarder, type NatRule, type PolicyRule, type Route } from '../model/schema';
import { ruleFamily } from '../model/tables';
import type { Command } from '../model/step';
import { acceptArgs, natArgs, routeIsV6, canonicalForwarder } from './state';

const c = (namespace: string, ...argv: string[]): Command => ({ namespace, argv });

/** ip netns add NS (run in the host) */
export const netnsAdd = (ns: string) => c(HOST_NS, 'ip', 'netns', 'add', ns);
/** ip netns del NS */
export const netnsDel = (ns: string) => c(HOST_NS, 'ip', 'netns', 'del', ns);

export interface End { ns: string; name: string }

/**
 * ip [-n A.ns] link add name A.name type veth peer name B.name [netns B.ns]:
 * created in A's namespace, the peer lands directly in B's.
 */
export function vethAdd(a: End, b: End): Command {
  return c(a.ns, 'ip', 'link', 'add', 'name', a.name, 'type', 'veth', 'peer', 'name', b.name, ...(b.ns !== a.ns ? ['netns', b.ns] : []));
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
export const bridgeAdd = (ns: string, name: string) => c(ns, 'ip', 'link', 'add', 'name', name, 'type', 'bridge');
/** ip link add name NAME type vrf table T */
export const vrfAdd = (ns: string, name: string, table: number) => c(ns, 'ip', 'link', 'add', 'name', name, 'type', 'vrf', 'table', String(table));
/** ip link del dev NAME (a veth takes its peer with it) */
export const linkDel = (ns: string, name: string) => c(ns, 'ip', 'link', 'del', 'dev', name);
/** ip link set dev NAME up|down */
export const linkSetUp = (ns: string, name: string, up: boolean) => c(ns, 'ip', 'link', 'set', 'dev', name, up ? 'up' : 'down');
/** ip link set dev NAME mtu N */
export const linkSetMtu = (ns: string, name: string, mtu: number) => c(ns, 'ip', 'link', 'set', 'dev', name, 'mtu', String(mtu));
/** ip link set dev NAME master M | nomaster */
export const linkSetMaster = (ns: string, name: string, master: string | undefined) =>
  master ? c(ns, 'ip', 'link', 'set', 'dev', name, 'master', master) : c(ns, 'ip', 'link', 'set', 'dev', name, 'nomaster');
/** ip link show dev NAME: prints the link when it exists */
export const linkShow = (ns: string, name: string) => c(ns, 'ip', 'link', 'show', 'dev', name);
/** ip link show dev NAME up: prints the link only when it is administratively up */
export const linkShowUp = (ns: string, name: string) => c(ns, 'ip', 'link', 'show', 'dev', name, 'up');

/** ip addr add CIDR dev NAME [nodad] (nodad: an IPv6 address usable at once, without duplicate address detection) */
export const addrAdd = (ns: string, dev: string, cidr: string, nodad = false) => c(ns, 'ip', 'addr', 'add', cidr, 'dev', dev, ...(nodad ? ['nodad'] : []));
/** ip addr del CIDR dev NAME */
export const addrDel = (ns: string, dev: string, cidr: string) => c(ns, 'ip', 'addr', 'del', cidr, 'dev', dev);
/** ip addr show dev NAME to ADDR/32: prints the link when it holds that address */
export function addrShow(ns: string, dev: string, cidr: string): Command {
  const a = cidr.split('/')[0];
  return c(ns, 'ip', 'addr', 'show', 'dev', dev, 'to', `${a}/${a.includes(':') ? 128 : 32}`);
}

/**
 * The route as `ip route` takes it: [type] TO [via] [dev] [metric] [table] [src]
 * [onlink] [nexthop via A dev D weight W [onlink]]…. The route is canonical (its
 * table a number: ./state.ts canonicalRoute).
 */
export function routeSpec(r: Route): string[] {
  return [
    ...(r.type && r.type !== 'unicast' ? [r.type] : []),
    r.to,
    ...(r.via !== undefined ? ['via', r.via] : []),
    ...(r.dev !== undefined ? ['dev', r.dev] : []),
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
    ...(r.table !== undefined ? ['table', String(r.table)] : []),
    ...(r.src !== undefined ? ['src', r.src] : []),
    ...(r.onlink ? ['onlink'] : []),
    ...(r.nexthops ?? []).flatMap((h) => [
      'nexthop', ...(h.via !== undefined ? ['via', h.via] : []), ...(h.dev !== undefined ? ['dev', h.dev] : []),
      ...(h.weight !== undefined ? ['weight', String(h.weight)] : []), ...(h.onlink ? ['onlink'] : []),
    ]),
  ];
}

/**
 * The rule as `ip rule` takes it: priority P [from X] [to Y] [iif I] [oif O]
 * [fwmark M[/MASK]] then `table T` or the action. The rule is canonical (family
 * explicit, table a number: ./state.ts canonicalRule).
 */
export function ruleSpec(r: PolicyRule): string[] {
  return [
    'priority', String(r.priority),
    ...(r.from !== undefined ? ['from', r.from] : []),
    ...(r.to !== undefined ? ['to', r.to] : []),
    ...(r.iif !== undefined ? ['iif', r.iif] : []),
    ...(r.oif !== undefined ? ['oif', r.oif] : []),
    ...(r.fwmark !== undefined ? ['fwmark', `0x${r.fwmark.toString(16)}${r.fwmask !== undefined ? `/0x${r.fwmask.toString(16)}` : ''}`] : []),
    ...(r.action && r.action !== 'lookup' ? [r.action] : ['table', String(r.table ?? 254)]),
  ];
}
const ruleFam = (r: PolicyRule) => (ruleFamily(r) === 6 ? ['-6'] : []);
/** ip [-6] rule add SPEC */
export const ruleAdd = (ns: string, r: PolicyRule) => c(ns, 'ip', ...ruleFam(r), 'rule', 'add', ...ruleSpec(r));
/** ip [-6] rule del SPEC */
export const ruleDel = (ns: string, r: PolicyRule) => c(ns, 'ip', ...ruleFam(r), 'rule', 'del', ...ruleSpec(r));
/** ip [-6] rule show SELECTORS [table T]: prints the rule when it exists (show takes the selectors and a table, not an action) */
export const ruleShow = (ns: string, r: PolicyRule) =>
  c(ns, 'ip', ...ruleFam(r), 'rule', 'show', ...(r.action && r.action !== 'lookup' ? ruleSpec(r).slice(0, -1) : ruleSpec(r)));
const fam = (r: Route) => (routeIsV6(r) ? ['-6'] : []);
/** ip [-6] route add SPEC */
export const routeAdd = (ns: string, r: Route) => c(ns, 'ip', ...fam(r), 'route', 'add', ...routeSpec(r));
/** ip [-6] route del SPEC */
export const routeDel = (ns: string, r: Route) => c(ns, 'ip', ...fam(r), 'route', 'del', ...routeSpec(r));
/** ip [-6] route replace SPEC (same destination, table and metric: one route, new details) */
export const routeReplace = (ns: string, r: Route) => c(ns, 'ip', ...fam(r), 'route', 'replace', ...routeSpec(r));
/** ip [-6] route show [type T] [table T] exact TO [via] [dev] [metric]: prints the route when it exists */
export function routeShow(ns: string, r: Route): Command {
  return c(ns, 'ip', ...fam(r), 'route', 'show',
    ...(r.type && r.type !== 'unicast' ? ['type', r.type] : []),
    ...(r.table !== undefined ? ['table', String(r.table)] : []),
    'exact', r.to,
    ...(r.via !== undefined ? ['via', r.via] : []),
    ...(r.dev !== undefined ? ['dev', r.dev] : []),
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []));
}

/** sysctl -q -w KEY=VALUE (run inside the namespace) */
export const sysctlSet = (ns: string, key: string, value: string) => c(ns, 'sysctl', '-q', '-w', `${key}=${value}`);

/** iptables -w -t nat -A|-D|-C CHAIN ... (run inside the namespace) */
export const natRule = (ns: string, op: '-A' | '-D' | '-C', rule: NatRule) => c(ns, 'iptables', '-w', '-t', 'nat', op, ...natArgs(rule));
/**
 * iptables -w -t filter -I|-D|-C FORWARD -i BR -o BR -m comment --comment netns-studio:bridge:BR -j ACCEPT
 * (run inside the namespace): with bridge netfilter on, what a bridge forwards
 * between its ports passes this FORWARD chain, in and out through the bridge
 * itself. Inserted first, so it comes before a DROP that rules further down add.
 */
export const acceptRule = (ns: string, op: '-I' | '-D' | '-C', bridge: string) => c(ns, 'iptables', '-w', '-t', 'filter', op, ...acceptArgs(bridge));

export const resolvConfPath = (ns: string) => `/etc/netns/${ns}/resolv.conf`;
/** The resolv.conf text for a namespace's DNS settings. */
export function resolvConf(d: Dns): string {
  return [...d.nameservers.map((s) => `nameserver ${s}`), ...(d.search?.length ? [`search ${d.search.join(' ')}`] : [])].join('\n') + '\n';
}
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
export const dnsWrite = (ns: string, d: Dns) => c(ns, 'write-file', resolvConfPath(ns), resolvConf(d));
/** remove-file /etc/netns/NS/resolv.conf */
export const dnsRemove = (ns: string) => c(ns, 'remove-file', resolvConfPath(ns));

/** forwarder-start NAME JSON: the helper's forwarder runtime starts it (listening in its namespace) */
export const forwarderStart = (f: Forwarder) => c(f.listen.namespace, 'forwarder-start', f.name, JSON.stringify(canonicalForwarder(f)));
/** forwarder-stop NAME */
export const forwarderStop = (f: Forwarder) => c(f.listen.namespace, 'forwarder-stop', f.name);

/** An `exists` check that succeeds when the inner check fails ("already gone"). */
export const absent = (check: Command): Command => ({ namespace: check.namespace, argv: ['!', ...check.argv] });
