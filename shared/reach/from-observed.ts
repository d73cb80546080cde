/**
 * The observed live host (../model/observed.ts) → the analysis's network
 * (./net.ts). Routes, rules and local addresses are the kernel's own (every
 * table as read); a link has carrier when its operstate is UP or UNKNOWN. The
 * filter table is known only where discover read it (`filterLines`); NAT from
 * the `iptables-save -t nat` lines.
 *
 * Pure: no node:* imports.
 */
import type { ObservedHost, ObservedLink, ObservedNamespace, ObservedRoute, ObservedRule } from '../model/observed';
import { parseCidr, parseIp } from '../validate/ip';
import { emptyNs, pushRoute } from './from-document';
import { parseFilterLines, parseIptLine, type IptRule } from './iptables';
import { defaultRules, ipKey, type Family, type NetLink, type NetNs, type NetRoute, type NetRule, type Net, type RouteType } from './net';

const ROUTE_TYPES = new Set<RouteType>(['unicast', 'local', 'broadcast', 'blackhole', 'unreachable', 'prohibit']);
const TABLE_NAMES: Record<string, number> = { local: 255, main: 254, default: 253 };

function linkOf(l: ObservedLink): NetLink {
  const kind = l.kind === 'veth' || l.kind === 'bridge' || l.kind === 'vrf' || l.kind === 'loopback' ? l.kind : 'other';
  const out: NetLink = {
    name: l.name,
    kind,
    up: l.up,
    carrier: l.up && (l.oper === 'UP' || l.oper === 'UNKNOWN'),
    oper: l.oper,
    master: l.master,
    addrs: [],
    vrfTable: l.vrfTable,
  };
  for (const a of l.addresses) {
    const c = parseCidr(a.cidr);
    if (c) out.addrs.push({ ip: c.addr, prefix: c.prefix, family: a.family, cidr: a.cidr });
  }
  if (l.peer?.namespace && l.peer.name) out.peer = { ns: l.peer.namespace, name: l.peer.name };
  return out;
}

function routeOf(r: ObservedRoute): NetRoute | undefined {
  const type: RouteType = ROUTE_TYPES.has(r.type as RouteType) ? (r.type as RouteType) : 'other';
  const full = r.family === 4 ? 32 : 128;
  const dst =
    r.dst === 'default' ? { addr: parseIp(r.family === 4 ? '0.0.0.0' : '::')!, prefix: 0 } : parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/${full}`);
  if (!dst) return undefined;
  const text = [
    type !== 'unicast' ? type : '',
    r.dst,
    r.via ? `via ${r.via}` : '',
    r.dev ? `dev ${r.dev}` : '',
    r.table !== 254 ? `table ${r.table === 255 ? 'local' : r.table}` : '',
    r.protocol !== 'boot' ? `proto ${r.protocol}` : '',
    r.metric ? `metric ${r.metric}` : '',
    r.src ? `src ${r.src}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  // a multipath route has no via/dev of its own: the first path's stand for it, and the walk follows each
  const nexthops = r.nexthops?.map((h) => ({ via: h.via ? (parseIp(h.via) ?? undefined) : undefined, dev: h.dev }));
  const hopsText = r.nexthops
    ?.map((h) => `nexthop${h.via ? ` via ${h.via}` : ''}${h.dev ? ` dev ${h.dev}` : ''}${h.weight ? ` weight ${h.weight}` : ''}`)
    .join(' ');
  return {
    family: r.family,
    type,
    dst: dst.addr,
    prefix: dst.prefix,
    via: r.via ? (parseIp(r.via) ?? undefined) : nexthops?.[0]?.via,
    dev: r.dev ?? nexthops?.[0]?.dev,
    ...(nexthops && nexthops.length > 1 ? { nexthops } : {}),
    metric: r.metric ?? 0,
    table: r.table,
    src: r.src ? (parseIp(r.src) ?? undefined) : undefined,
    text: hopsText ? `${text} ${hopsText}` : text,
  };
}

/** `100: not from 10.0.0.0/24 to … iif X oif Y lookup T [action]` as discover prints rules. */
export function parseRuleText(r: ObservedRule): NetRule {
  const w = r.text.split(/\s+/).filter(Boolean);
  const rule: NetRule = { family: r.family, priority: r.priority, action: 'lookup', text: r.text };
  const prefix = (s: string) => {
    const c = parseCidr(s.includes('/') ? s : `${s}/${s.includes(':') ? 128 : 32}`);
    return c ? { ip: c.addr, prefix: c.prefix } : undefined;
  };
  for (let i = 1; i < w.length; i++) {
    const k = w[i];
    const v = w[i + 1];
    if (k === 'not') rule.not = true;
    else if (k === 'from' || k === 'to') {
      i++;
      if (v === 'all') continue;
      const p = prefix(v ?? '');
      if (!p) rule.unknown ??= `${k} ${v}`;
      else rule[k] = p;
    } else if (k === 'iif' || k === 'oif') rule[k] = w[++i];
    else if (k === 'fwmark') {
      i++;
      const [value, mask] = (v ?? '').split('/').map(Number);
      if (Number.isInteger(value) && (mask === undefined || Number.isInteger(mask))) rule.fwmark = { value, mask: mask ?? 0xffffffff };
      else rule.unknown ??= `fwmark ${v}`;
    } else if (k === 'lookup') {
      i++;
      if (v === '[l3mdev-table]') rule.l3mdev = true;
      else {
        const t = TABLE_NAMES[v ?? ''] ?? Number(v);
        if (Number.isInteger(t)) rule.table = t;
        else rule.unknown ??= `lookup ${v}`;
      }
    } else if (k === 'blackhole' || k === 'unreachable' || k === 'prohibit') rule.action = k;
    else rule.unknown ??= k; // uidrange, goto, nop…
  }
  return rule;
}

function mangleOf(lines: string[] | undefined): IptRule[] | undefined {
  return lines?.map((l) => parseIptLine('mangle', l)).filter((r) => r !== undefined);
}

function nsOf(o: ObservedNamespace): NetNs {
  const n = emptyNs(o.name);
  n.links = new Map(o.links.map((l) => [l.name, linkOf(l)]));
  const lo = n.links.get('lo');
  n.loopbackUp = lo?.up ?? false;
  for (const r of o.routes) {
    const nr = routeOf(r);
    if (nr) pushRoute(n, nr);
  }
  for (const f of [4, 6] as Family[]) {
    const rules = o.rules
      .filter((r) => r.family === f)
      .map(parseRuleText)
      .sort((a, b) => a.priority - b.priority);
    n.rules[f] = rules.length ? rules : defaultRules(f);
  }
  // local addresses are what the local tables say (an address on a down link has none)
  for (const routes of n.tables.values()) {
    for (const r of routes) {
      const full = r.family === 4 ? 32 : 128;
      if (r.type === 'local' && r.prefix === full && r.dev) {
        const l = n.links.get(r.dev);
        if (l) n.local.set(ipKey(r.dst), l);
      }
    }
  }
  n.forwarding[4] = o.sysctls['net.ipv4.ip_forward'] === '1';
  n.forwarding[6] = o.sysctls['net.ipv6.conf.all.forwarding'] === '1';
  const rp = Number(o.sysctls['net.ipv4.conf.all.rp_filter'] ?? 0);
  n.rpFilter = rp === 1 ? 1 : rp === 2 ? 2 : 0;
  // read by discover (helper/discover/bridge-nf.ts) where a bridge is; not read (older state, no bridge): assumed on, as the kernel's default
  const brnf = o.sysctls['net.bridge.bridge-nf-call-iptables'];
  n.bridgeNf = brnf === undefined ? true : brnf === '1';
  const brnf6 = o.sysctls['net.bridge.bridge-nf-call-ip6tables'];
  n.bridgeNf6 = brnf6 === undefined ? true : brnf6 === '1';
  n.nat = (o.natLines ?? []).map((l) => parseIptLine('nat', l)).filter((r) => r !== undefined);
  if (o.filterLines) n.filter = { chains: parseFilterLines(o.filterLines) };
  if (o.filter6Lines) n.filter6 = { chains: parseFilterLines(o.filter6Lines) };
  if (o.nftChains) n.nft = o.nftChains;
  // discover reads the mangle table only where a fwmark rule needs it; elsewhere no rule asks for the mark
  n.mangle = { 4: mangleOf(o.mangleLines), 6: mangleOf(o.mangle6Lines) };
  return n;
}

export function netOfObserved(host: ObservedHost): Net {
  const namespaces = new Map(host.namespaces.map((o) => [o.name, nsOf(o)]));
  // a veth end whose peer's namespace was not resolved from its side (an nsid without a name there,
  // e.g. the host seen from inside) is paired by the other end, which did resolve it
  const back = new Map<string, { ns: string; name: string }>();
  for (const n of namespaces.values()) for (const l of n.links.values()) if (l.peer) back.set(`${l.peer.ns}\0${l.peer.name}`, { ns: n.name, name: l.name });
  for (const n of namespaces.values()) {
    for (const l of n.links.values()) {
      if (l.kind !== 'veth' || l.peer) continue;
      const p = back.get(`${n.name}\0${l.name}`);
      if (p) l.peer = p;
    }
  }
  return { namespaces, source: 'live' };
}
