/**
 * Turns what `ip -j -d -s` printed for one namespace into the observed model
 * (shared/model/observed.ts). Peers across namespaces are resolved later, with
 * every namespace in hand (./peers.ts).
 */
import type { LinkKind, ObservedAddress, ObservedLink, ObservedNamespace, ObservedNexthop, ObservedRoute, ObservedRule } from '../../shared/model/observed';
import type { RawNamespace } from './read';
import { hostTableNames } from './rt-tables';
import type { Target } from './targets';
import type { Json } from './json';

/** Raw veth peer facts kept until ./peers.ts resolves them. */
export interface PendingPeer {
  /** the peer is in this same namespace, named so */
  sameNsName?: string;
  /** peer ifindex in the namespace named by `nsid` (own ifindex when the kernel omitted it) */
  index?: number;
  nsid?: number;
}

export interface ParsedNamespace {
  ns: ObservedNamespace;
  /** ifindex → pending peer facts, veths only */
  pending: Map<number, PendingPeer>;
}

const TABLES: Record<string, number> = { main: 254, local: 255, default: 253, unspec: 0 };
/** The number of a table as ip prints it: a number, the kernel's names, or a name from the host's rt_tables. */
export function tableNumber(t: unknown): number {
  if (t === undefined || t === null) return 254;
  if (typeof t === 'number') return t;
  return TABLES[String(t)] ?? hostTableNames().get(String(t)) ?? (Number.isFinite(Number(t)) ? Number(t) : 254);
}

export function linkKind(l: Json): { kind: LinkKind; raw: string } {
  const k: string | undefined = l.linkinfo?.info_kind;
  if (k === 'veth' || k === 'bridge' || k === 'vrf' || k === 'vxlan') return { kind: k, raw: k };
  if (k === 'tun') {
    const t = l.linkinfo?.info_data?.type;
    return { kind: t === 'tap' ? 'tap' : 'other', raw: t === 'tap' ? 'tap' : 'tun' };
  }
  if (k) return { kind: 'other', raw: k };
  if (l.link_type === 'loopback') return { kind: 'loopback', raw: 'loopback' };
  if (l.link_type === 'ether') return { kind: 'physical', raw: 'ether' };
  return { kind: 'other', raw: String(l.link_type ?? 'unknown') };
}

function addresses(l: Json): ObservedAddress[] {
  const out: ObservedAddress[] = [];
  for (const a of l.addr_info ?? []) {
    if (a.family !== 'inet' && a.family !== 'inet6') continue;
    // kernel-made link-local IPv6 addresses are noise for people and for documents
    if (a.family === 'inet6' && a.scope === 'link' && /^fe80:/i.test(a.local)) continue;
    const o: ObservedAddress = { cidr: `${a.local}/${a.prefixlen}`, family: a.family === 'inet' ? 4 : 6, scope: String(a.scope ?? 'global') };
    // DAD flags as `ip -j` prints them (true when set)
    if (a.tentative === true) o.tentative = true;
    if (a.dadfailed === true) o.dadFailed = true;
    if (a.nodad === true) o.nodad = true;
    out.push(o);
  }
  return out;
}

function link(l: Json): ObservedLink {
  const { kind, raw } = linkKind(l);
  const out: ObservedLink = {
    ifindex: l.ifindex,
    name: l.ifname,
    kind,
    rawKind: raw,
    up: (l.flags ?? []).includes('UP'),
    oper: String(l.operstate ?? 'UNKNOWN'),
    carrier: (l.flags ?? []).includes('LOWER_UP'),
    mtu: l.mtu,
    addresses: addresses(l),
  };
  if (l.address && kind !== 'loopback') out.mac = l.address;
  if (l.master) out.master = l.master;
  if (l.linkinfo?.info_slave_kind === 'bridge' && typeof l.linkinfo.info_slave_data?.state === 'string') out.portState = l.linkinfo.info_slave_data.state;
  if (l.ifalias) out.alias = l.ifalias;
  if (kind === 'vrf' && l.linkinfo?.info_data?.table !== undefined) out.vrfTable = Number(l.linkinfo.info_data.table);
  const s = l.stats64;
  if (s) out.stats = { rxBytes: s.rx?.bytes ?? 0, txBytes: s.tx?.bytes ?? 0, rxPackets: s.rx?.packets ?? 0, txPackets: s.tx?.packets ?? 0 };
  return out;
}

function route(r: Json): ObservedRoute {
  const family: 4 | 6 = String(r.dst).includes(':') || String(r.gateway ?? '').includes(':') || r.pref !== undefined ? 6 : 4;
  const out: ObservedRoute = {
    family,
    type: String(r.type ?? 'unicast'),
    dst: String(r.dst),
    table: tableNumber(r.table),
    protocol: String(r.protocol ?? 'boot'),
  };
  if (r.gateway) out.via = r.gateway;
  if (r.dev) out.dev = r.dev;
  if (r.scope) out.scope = r.scope;
  if (r.metric !== undefined) out.metric = Number(r.metric);
  if (r.prefsrc) out.src = r.prefsrc;
  if ((r.flags ?? []).includes('onlink')) out.onlink = true;
  if (Array.isArray(r.nexthops)) {
    const hops: ObservedNexthop[] = r.nexthops.map((h: Json) => {
      const hop: ObservedNexthop = { weight: Number(h.weight ?? 1) };
      if (h.gateway) hop.via = h.gateway;
      if (h.dev) hop.dev = h.dev;
      if ((h.flags ?? []).includes('onlink')) hop.onlink = true;
      return hop;
    });
    out.nexthops = hops;
    if (hops.some((h) => h.via?.includes(':'))) out.family = 6;
  }
  return out;
}

const prefix = (addr: unknown, len: unknown): string | undefined =>
  addr === undefined || addr === 'all' ? undefined : `${addr}/${len ?? (String(addr).includes(':') ? 128 : 32)}`;
const mark = (v: unknown): number | undefined => (v === undefined ? undefined : typeof v === 'number' ? v : Number(String(v)));

/** What `ip -j rule` prints that the observed rule holds in fields of its own (or that says nothing of what the rule matches). */
const RULE_FIELDS = new Set([
  'priority',
  'src',
  'srclen',
  'dst',
  'dstlen',
  'iif',
  'oif',
  'fwmark',
  'fwmask',
  'table',
  'action',
  'l3mdev',
  'not',
  'family',
  'protocol',
  'iif_detached',
  'oif_detached',
  'flags',
]);

/**
 * The rest of what `ip -j rule` printed, in the words `ip rule` uses (tos 0x10,
 * goto 20, nop, suppress_prefixlength 0, sport 1000-2000…): what a rule matches
 * or does beyond the fields the model has. Any key not known here counts too, so
 * a selector a newer kernel adds is never silently dropped.
 */
function unsaidOf(r: Json): string[] {
  const out: string[] = [];
  const range = (word: string, a: unknown, b: unknown) => out.push(`${word} ${a === b ? a : `${a}-${b}`}`);
  for (const [k, v] of Object.entries(r as Record<string, unknown>)) {
    if (RULE_FIELDS.has(k)) continue;
    if (k === 'sport_start' || k === 'dport_start') range(k.slice(0, 5), v, r[`${k.slice(0, 5)}_end`]);
    else if (k === 'uid_start') range('uidrange', v, r.uid_end);
    else if (k === 'sport_end' || k === 'dport_end' || k === 'uid_end' || k === 'flow_from') continue;
    else if (k === 'flow_to') out.push(`realms ${r.flow_from !== undefined ? `${r.flow_from}/` : ''}${v}`);
    else if (k === 'suppress_prefixlen') out.push(`suppress_prefixlength ${v}`);
    else out.push(v === null ? k : `${k} ${v}`);
  }
  return out;
}

function rule(r: Json): ObservedRule {
  const unsaid = unsaidOf(r);
  const parts = [`${r.priority}:`];
  if ('not' in r) parts.push('not'); // ip -j prints "not": null
  parts.push('from', r.src === 'all' || r.src === undefined ? 'all' : `${r.src}${r.srclen !== undefined ? `/${r.srclen}` : ''}`);
  if (r.dst) parts.push('to', `${r.dst}${r.dstlen !== undefined ? `/${r.dstlen}` : ''}`);
  if (r.iif) parts.push('iif', r.iif);
  if (r.oif) parts.push('oif', r.oif);
  if (r.fwmark) parts.push('fwmark', String(r.fwmark));
  // selectors before the lookup, what modifies or replaces it after (where `ip rule` prints them)
  const after = (w: string) => /^(suppress_|realms |goto |nop$)/.test(w);
  parts.push(...unsaid.filter((w) => !after(w)));
  if (r.l3mdev) parts.push('lookup', '[l3mdev-table]');
  else if (r.table) parts.push('lookup', String(r.table));
  parts.push(...unsaid.filter(after));
  if (r.action && r.action !== 'to_tbl' && r.action !== 'lookup') parts.push(String(r.action));
  // `from all lookup main` says nothing of its family: the readers tag IPv6 rules (`ip -6 rule` has no such field)
  const family: 4 | 6 = r.family === 'inet6' || String(r.src ?? '').includes(':') || String(r.dst ?? '').includes(':') ? 6 : 4;
  const out: ObservedRule = { family, priority: Number(r.priority ?? 0), table: r.table === undefined ? undefined : String(r.table), text: parts.join(' ') };
  if (r.action !== undefined && r.action !== 'to_tbl' && r.action !== 'lookup') out.action = String(r.action);
  else if ('goto' in r)
    out.action = 'goto'; // ip prints these two as keys of their own
  else if ('nop' in r) out.action = 'nop';
  if (unsaid.length) out.unsaid = unsaid;
  if (r.table !== undefined && !r.l3mdev) out.tableId = tableNumber(r.table);
  const from = prefix(r.src, r.srclen);
  const to = prefix(r.dst, r.dstlen);
  if (from) out.from = from;
  if (to) out.to = to;
  if (r.iif) out.iif = r.iif;
  if (r.oif) out.oif = r.oif;
  if (r.fwmark !== undefined) out.fwmark = mark(r.fwmark);
  if (r.fwmask !== undefined) out.fwmask = mark(r.fwmask);
  if (r.l3mdev) out.l3mdev = true;
  if ('not' in r) out.not = true;
  return out;
}

const RP: Record<string, string> = { off: '0', strict: '1', loose: '2' };

function sysctls(netconf: Json[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of netconf ?? []) {
    if (c.interface !== 'all') continue;
    if (c.family === 'inet') {
      if (c.forwarding !== undefined) out['net.ipv4.ip_forward'] = c.forwarding ? '1' : '0';
      if (c.rp_filter !== undefined) out['net.ipv4.conf.all.rp_filter'] = RP[c.rp_filter] ?? String(c.rp_filter);
    } else if (c.family === 'inet6' && c.forwarding !== undefined) out['net.ipv6.conf.all.forwarding'] = c.forwarding ? '1' : '0';
  }
  return out;
}

export function parseNamespace(t: Target, raw: RawNamespace): ParsedNamespace {
  const links = (raw.addr ?? []).map(link);
  const pending = new Map<number, PendingPeer>();
  for (const l of raw.addr ?? []) {
    if (l.linkinfo?.info_kind !== 'veth') continue;
    if (l.link_netnsid !== undefined) pending.set(l.ifindex, { nsid: Number(l.link_netnsid), index: l.link_index ?? l.ifindex });
    else if (typeof l.link === 'string') pending.set(l.ifindex, { sameNsName: l.link });
    else if (l.link_index !== undefined) pending.set(l.ifindex, { index: l.link_index });
  }
  const ns: ObservedNamespace = {
    name: t.name,
    inode: t.inode,
    named: t.named,
    nsids: {},
    links,
    routes: (raw.route ?? []).map(route),
    rules: (raw.rule ?? []).map(rule),
    sysctls: sysctls(raw.netconf),
    warnings: [],
  };
  if (t.holder) ns.holder = t.holder;
  if (t.holders) ns.holders = t.holders;
  if (t.mounts) ns.mounts = t.mounts;
  if (t.identity) ns.identity = t.identity;
  return { ns, pending };
}
