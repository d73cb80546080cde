/**
 * The planner's flat view of a topology: every kernel object under its stable
 * key (../model/ids.ts), with defaults made explicit and values canonical, so
 * that "desired" and "observed" compare key by key. The simulated kernel
 * (./simulate.ts) works on the same shape, and toTopology turns it back into a
 * document (what a discovered host looks like to the planner).
 *
 * Maps keep insertion order, which follows the document: plans come out in the
 * document's order, and the same inputs always give the same plan.
 */
import ipaddr from 'ipaddr.js';
import { HOST_NS } from '../model/constants';
import type { Dns, Forwarder, NatRule, Nexthop, PolicyRule, Route, SysctlKey, Topology } from '../model/schema';
import { objectKey } from '../model/ids';
import { LOCAL_TABLE, MAIN_TABLE, routeTableId, ruleFamily, tableId, type TableNames } from '../model/tables';

export type LinkKind = 'veth' | 'bridge' | 'vrf';

export interface LinkState {
  ns: string;
  name: string;
  kind: LinkKind;
  /** the other end of a veth (undefined when the kernel shows none we can name) */
  peer?: { ns: string; name: string };
  /** routing table of a VRF */
  table?: number;
  /** undefined: the kernel default (1500 for veths; whatever the kernel picks for bridges) */
  mtu?: number;
  up: boolean;
  master?: string;
  /** the document's order of the two veth ends (0 or 1), kept so pairs are created from the same side */
  end?: 0 | 1;
}

export interface AddressState {
  ns: string;
  dev: string;
  cidr: string;
  /** desired only: an IPv6 address the document wants added with `nodad` (how it is added, not what the host shows) */
  nodad?: true;
}
export interface RouteState {
  ns: string;
  route: Route;
}
/** a policy rule in canonical form (canonicalRule): family explicit, table a number */
export interface RuleState {
  ns: string;
  rule: PolicyRule;
}
export interface SysctlState {
  ns: string;
  key: SysctlKey;
  value: string;
}
export interface NatState {
  ns: string;
  rule: NatRule;
}
export interface DnsState {
  ns: string;
  dns: Dns;
}
/** an iptables FORWARD accept rule for the traffic a bridge forwards between its ports */
export interface AcceptState {
  ns: string;
  bridge: string;
}

export interface State {
  /** every namespace, `host` included (always present) */
  namespaces: Map<string, { loopback: 'up' | 'down' }>;
  links: Map<string, LinkState>;
  addresses: Map<string, AddressState>;
  routes: Map<string, RouteState>;
  /** policy rules beyond the kernel's default ones */
  rules: Map<string, RuleState>;
  /** only values that differ from the kernel's default for a fresh namespace */
  sysctls: Map<string, SysctlState>;
  nat: Map<string, NatState>;
  accepts: Map<string, AcceptState>;
  dns: Map<string, DnsState>;
  forwarders: Map<string, Forwarder>;
}

/** What a fresh namespace holds; a sysctl at its default is not listed in a State. */
export const SYSCTL_DEFAULTS: Record<SysctlKey, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv6.conf.all.forwarding': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.ping_group_range': '1 0',
};

export const DEFAULT_MTU = 1500;

export function emptyState(): State {
  return {
    namespaces: new Map([[HOST_NS, { loopback: 'up' }]]),
    links: new Map(),
    addresses: new Map(),
    routes: new Map(),
    rules: new Map(),
    sysctls: new Map(),
    nat: new Map(),
    accepts: new Map(),
    dns: new Map(),
    forwarders: new Map(),
  };
}

/** A copy whose maps can be changed without touching the original (entries are never mutated in place). */
export function cloneState(s: State): State {
  return {
    namespaces: new Map(s.namespaces),
    links: new Map(s.links),
    addresses: new Map(s.addresses),
    routes: new Map(s.routes),
    rules: new Map(s.rules),
    sysctls: new Map(s.sysctls),
    nat: new Map(s.nat),
    accepts: new Map(s.accepts),
    dns: new Map(s.dns),
    forwarders: new Map(s.forwarders),
  };
}

// ---------- canonical values ----------

export function isV6(addr: string): boolean {
  return addr.includes(':');
}

/** `10.0.0.1/24`, `2001:db8::1/64` (compressed, lower case). Unparsable input is returned trimmed. */
export function canonicalCidr(cidr: string): string {
  const [a, len] = cidr.trim().split('/');
  try {
    return `${ipaddr.parse(a).toString()}${len === undefined ? '' : `/${Number(len)}`}`;
  } catch {
    return cidr.trim().toLowerCase();
  }
}

export function canonicalIp(ip: string): string {
  try {
    return ipaddr.parse(ip.trim()).toString();
  } catch {
    return ip.trim().toLowerCase();
  }
}

export function routeIsV6(r: Route): boolean {
  return [r.to, r.via, r.src, ...(r.nexthops ?? []).map((h) => h.via)].some((x) => x !== undefined && x !== 'default' && isV6(x));
}

/** Canonical destination: `default`, or a prefix with its length (`10.0.0.1` → `10.0.0.1/32`). */
export function canonicalDestination(to: string, v6: boolean): string {
  const t = to.trim().toLowerCase();
  if (t === 'default' || t === '0.0.0.0/0' || t === '::/0') return 'default';
  const c = canonicalCidr(t);
  return c.includes('/') ? c : `${c}/${v6 ? 128 : 32}`;
}

/**
 * A route with defaults dropped (`unicast`, its type's table: main, or local for a
 * local route; weight 1) and addresses canonical; a table name becomes its number
 * (`names`: the namespace's `tables`; an undeclared name is the validator's to refuse).
 */
export function canonicalRoute(r: Route, names?: TableNames): Route {
  const v6 = routeIsV6(r);
  const out: Route = { to: canonicalDestination(r.to, v6) };
  if (r.type && r.type !== 'unicast') out.type = r.type;
  if (r.via !== undefined) out.via = canonicalIp(r.via);
  if (r.dev !== undefined) out.dev = r.dev;
  if (r.metric !== undefined) out.metric = r.metric;
  const table = routeTableId(r, names) ?? MAIN_TABLE;
  if (table !== (r.type === 'local' ? LOCAL_TABLE : MAIN_TABLE)) out.table = table;
  if (r.src !== undefined) out.src = canonicalIp(r.src);
  if (r.onlink) out.onlink = true;
  if (r.nexthops) out.nexthops = r.nexthops.map(canonicalNexthop);
  return out;
}

function canonicalNexthop(h: Nexthop): Nexthop {
  const out: Nexthop = {};
  if (h.via !== undefined) out.via = canonicalIp(h.via);
  if (h.dev !== undefined) out.dev = h.dev;
  if (h.weight !== undefined && h.weight !== 1) out.weight = h.weight;
  if (h.onlink) out.onlink = true;
  return out;
}

/** The table number of a canonical route. */
export const routeTable = (r: Route): number => (typeof r.table === 'number' ? r.table : r.type === 'local' ? LOCAL_TABLE : MAIN_TABLE);

/** A rule's `from`/`to` with its length always written (`10.0.0.1` → `10.0.0.1/32`); `all`, /0 → undefined. */
function canonicalSelector(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const t = p.trim().toLowerCase();
  if (t === 'all' || t === 'default' || t === '0.0.0.0/0' || t === '::/0') return undefined;
  const c = canonicalCidr(t);
  return c.includes('/') ? c : `${c}/${isV6(c) ? 128 : 32}`;
}

/** A policy rule with its family explicit, selectors canonical, its table a number and defaults (lookup, a full mask) dropped. */
export function canonicalRule(r: PolicyRule, names?: TableNames): PolicyRule {
  const out: PolicyRule = { priority: r.priority, family: ruleFamily(r) };
  const from = canonicalSelector(r.from);
  const to = canonicalSelector(r.to);
  if (from !== undefined) out.from = from;
  if (to !== undefined) out.to = to;
  if (r.iif !== undefined) out.iif = r.iif;
  if (r.oif !== undefined) out.oif = r.oif;
  if (r.fwmark !== undefined) out.fwmark = r.fwmark;
  if (r.fwmark !== undefined && r.fwmask !== undefined && r.fwmask !== 0xffffffff) out.fwmask = r.fwmask;
  const action = r.action ?? 'lookup';
  if (action !== 'lookup') out.action = action;
  else if (r.table !== undefined) out.table = tableId(r.table, names) ?? MAIN_TABLE;
  return out;
}

export function ruleKey(ns: string, r: PolicyRule): string {
  return objectKey.rule(ns, ruleFamily(r), r.priority);
}

export function routeKey(ns: string, r: Route): string {
  // An IPv4 and an IPv6 default route may live side by side: the IPv6 one is keyed `::/0`.
  const to = r.to === 'default' && routeIsV6(r) ? '::/0' : r.to;
  return objectKey.route(ns, routeTable(r), to, r.metric);
}

export function canonicalNat(n: NatRule): NatRule {
  const out: NatRule = { action: n.action };
  if (n.source !== undefined) out.source = canonicalCidr(n.source);
  if (n.destination !== undefined) out.destination = canonicalCidr(n.destination);
  if (n.inInterface !== undefined) out.inInterface = n.inInterface;
  if (n.outInterface !== undefined) out.outInterface = n.outInterface;
  if (n.protocol !== undefined) out.protocol = n.protocol;
  if (n.port !== undefined) out.port = n.port;
  if (n.toAddress !== undefined) out.toAddress = n.toAddress;
  return out;
}

export function canonicalDns(d: Dns): Dns {
  return { nameservers: d.nameservers.map(canonicalIp), ...(d.search?.length ? { search: [...d.search] } : {}) };
}

/** Forwarder with a fixed key order, so its JSON is stable. */
export function canonicalForwarder(f: Forwarder): Forwarder {
  return {
    name: f.name,
    protocol: f.protocol,
    listen: { namespace: f.listen.namespace, address: f.listen.address, port: f.listen.port },
    target: { namespace: f.target.namespace, address: f.target.address, port: f.target.port },
  };
}

export { sameJson } from '../yaml/defaults';

// ---------- document <-> state ----------

/** The flat view of a document. The document is expected to be schema-valid (defaults filled). */
export function fromTopology(doc: Topology): State {
  const s = emptyState();
  const hostDecl = doc.namespaces.find((n) => n.name === HOST_NS);
  // the host's loopback is never taken down, whatever a document says
  s.namespaces.set(HOST_NS, { loopback: hostDecl?.loopback ?? 'up' });
  for (const n of doc.namespaces) {
    if (n.name !== HOST_NS) s.namespaces.set(n.name, { loopback: n.loopback ?? 'up' });
  }
  const nodadIn = new Set(doc.namespaces.filter((n) => n.nodad).map((n) => n.name));
  const addLink = (l: LinkState, addresses: string[]) => {
    s.links.set(objectKey.link(l.ns, l.name), l);
    for (const a of addresses) {
      const cidr = canonicalCidr(a);
      s.addresses.set(objectKey.address(l.ns, l.name, cidr), {
        ns: l.ns,
        dev: l.name,
        cidr,
        ...(nodadIn.has(l.ns) && isV6(cidr) ? { nodad: true as const } : {}),
      });
    }
  };
  for (const n of doc.namespaces) {
    for (const v of n.vrfs ?? []) addLink({ ns: n.name, name: v.name, kind: 'vrf', table: v.table, up: v.up ?? true }, []);
  }
  for (const b of doc.bridges) {
    addLink(
      {
        ns: b.namespace,
        name: b.name,
        kind: 'bridge',
        up: b.up ?? true,
        ...(b.mtu !== undefined ? { mtu: b.mtu } : {}),
        ...(b.master ? { master: b.master } : {}),
      },
      b.addresses ?? [],
    );
    if (b.acceptForward) s.accepts.set(objectKey.accept(b.namespace, b.name), { ns: b.namespace, bridge: b.name });
  }
  for (const v of doc.veths) {
    v.ends.forEach((e, i) => {
      const p = v.ends[1 - i];
      const mtu = e.mtu === undefined || e.mtu === DEFAULT_MTU ? {} : { mtu: e.mtu };
      addLink(
        {
          ns: e.namespace,
          name: e.name,
          kind: 'veth',
          peer: { ns: p.namespace, name: p.name },
          up: e.up ?? true,
          ...mtu,
          ...(e.master ? { master: e.master } : {}),
          end: i as 0 | 1,
        },
        e.addresses ?? [],
      );
    });
  }
  for (const n of doc.namespaces) {
    for (const r of n.routes ?? []) {
      const route = canonicalRoute(r, n.tables);
      s.routes.set(routeKey(n.name, route), { ns: n.name, route });
    }
    for (const r of n.rules ?? []) {
      const rule = canonicalRule(r, n.tables);
      s.rules.set(ruleKey(n.name, rule), { ns: n.name, rule });
    }
    for (const [key, value] of Object.entries(n.sysctls ?? {}) as [SysctlKey, string | undefined][]) {
      if (value === undefined) continue;
      const v = value.trim().replace(/\s+/g, ' ');
      if (v !== SYSCTL_DEFAULTS[key]) s.sysctls.set(objectKey.sysctl(n.name, key), { ns: n.name, key, value: v });
    }
    for (const r of n.nat ?? []) {
      const rule = canonicalNat(r);
      s.nat.set(natKey(n.name, rule), { ns: n.name, rule });
    }
    if (n.dns && n.name !== HOST_NS) s.dns.set(objectKey.dns(n.name), { ns: n.name, dns: canonicalDns(n.dns) });
  }
  for (const f of doc.forwarders) s.forwarders.set(objectKey.forwarder(f.name), canonicalForwarder(f));
  return s;
}

/** The rule text that names a NAT rule in its key: the iptables arguments after `-A`. */
export function natRuleText(rule: NatRule): string {
  return natArgs(rule).join(' ');
}

export function natKey(ns: string, rule: NatRule): string {
  return objectKey.nat(ns, natRuleText(rule));
}

/** The comment that marks the FORWARD accept rule of a bridge as netns-studio's. */
export const acceptComment = (bridge: string) => `netns-studio:bridge:${bridge}`;
/** iptables arguments after `-t filter -I|-D|-C`: the chain first. */
export function acceptArgs(bridge: string): string[] {
  return ['FORWARD', '-i', bridge, '-o', bridge, '-m', 'comment', '--comment', acceptComment(bridge), '-j', 'ACCEPT'];
}

/** iptables arguments after `-t nat -A|-D|-C`: the chain first. */
export function natArgs(n: NatRule): string[] {
  const chain = n.action === 'dnat' ? 'PREROUTING' : 'POSTROUTING';
  return [
    chain,
    ...(n.source ? ['-s', n.source] : []),
    ...(n.destination ? ['-d', n.destination] : []),
    ...(n.inInterface ? ['-i', n.inInterface] : []),
    ...(n.outInterface ? ['-o', n.outInterface] : []),
    ...(n.protocol ? ['-p', n.protocol] : []),
    ...(n.port !== undefined ? ['--dport', String(n.port)] : []),
    '-j',
    n.action === 'masquerade' ? 'MASQUERADE' : n.action === 'snat' ? 'SNAT' : 'DNAT',
    ...(n.toAddress ? [n.action === 'snat' ? '--to-source' : '--to-destination', n.toAddress] : []),
  ];
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
export function hostFirst(a: string, b: string): number {
  return a === HOST_NS ? -1 : b === HOST_NS ? 1 : cmp(a, b);
}

/**
 * A state in one canonical, comparable form (sorted keys, `end` ordering dropped):
 * two states are the same host exactly when their canonical forms are deep-equal.
 */
export function canonicalState(s: State): Record<string, unknown> {
  const sorted = <T>(m: Map<string, T>, f: (v: T) => unknown = (v) => v) =>
    Object.fromEntries([...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([k, v]) => [k, f(v)]));
  return {
    namespaces: sorted(s.namespaces),
    links: sorted(s.links, (l) => {
      const { end: _end, ...rest } = l;
      void _end;
      const mtu = rest.kind === 'veth' && rest.mtu === DEFAULT_MTU ? undefined : rest.mtu;
      return JSON.parse(JSON.stringify({ ...rest, mtu }));
    }),
    addresses: sorted(s.addresses, ({ ns, dev, cidr }) => ({ ns, dev, cidr })), // nodad says how, not what
    routes: sorted(s.routes),
    rules: sorted(s.rules),
    sysctls: sorted(s.sysctls),
    nat: sorted(s.nat),
    accepts: sorted(s.accepts),
    dns: sorted(s.dns),
    forwarders: sorted(s.forwarders),
  };
}
