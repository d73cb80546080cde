/**
 * The kernel's route lookup over a namespace: policy rules in priority order,
 * each naming a table (or the VRF table of the device, l3mdev); in a table the
 * longest prefix wins, then the lowest metric; a table without a match lets the
 * next rule try. Routes over a link that is down do not exist in the kernel;
 * the best of them is kept so a failure can say "it would go out X, which is down".
 * And the source address the kernel picks when a socket does not bind one.
 *
 * Pure: no node:* imports.
 */
import ipaddr from 'ipaddr.js';
import type { Ip } from '../validate/ip';
import { ipKey, type Family, type NetNs, type NetRoute, type NetRule } from './net';

export interface LookupQuery {
  family: Family;
  dst: Ip;
  src?: Ip;
  /** input device (`lo` for locally generated packets) */
  iif: string;
  oif?: string;
  /** the device whose VRF an l3mdev rule uses for a locally generated packet (a reply leaves in the VRF its request came in by) */
  l3dev?: string;
  /** the packet's firewall mark (omitted: 0, as a packet arrives from another namespace or an unmarked socket) */
  mark?: number;
  /** the mark cannot be known (mangle table not read, or a rule there not evaluable): fwmark rules that could select it are "unknown" */
  markUnknown?: boolean;
}

export interface LookupResult {
  route?: NetRoute;
  /** the rule that chose the table (or blocked) */
  rule?: NetRule;
  /** a rule whose selector or action cannot be evaluated and might apply */
  unknownRule?: NetRule;
  /** best route that would match were its link up */
  downRoute?: NetRoute;
  /** the rules that sent the lookup to a table without a match, in order */
  tried: { rule: NetRule; table: number }[];
}

export const inPrefix = (ip: Ip, net: Ip, prefix: number) => ip.kind() === net.kind() && ip.match(net, prefix);

/** Does the rule select the packet? 'unknown' when only the packet's (unknown) mark could decide. */
function ruleSelects(r: NetRule, q: LookupQuery): boolean | 'unknown' {
  let m = true;
  // without a source (a socket that binds none) a `from` rule does not match: the kernel compares against 0 / ::
  if (r.from) m &&= q.src !== undefined && inPrefix(q.src, r.from.ip, r.from.prefix);
  if (r.to) m &&= inPrefix(q.dst, r.to.ip, r.to.prefix);
  if (r.iif) m &&= r.iif === q.iif;
  if (r.oif) m &&= r.oif === q.oif;
  if (m && r.fwmark) {
    if (q.markUnknown) return 'unknown';
    m = (((q.mark ?? 0) ^ r.fwmark.value) & r.fwmark.mask) === 0;
  }
  return r.not ? !m : m;
}

/** The VRF table of a device, for l3mdev rules. */
function vrfTableOf(ns: NetNs, dev: string | undefined): number | undefined {
  if (!dev) return undefined;
  const l = ns.links.get(dev);
  if (l?.kind === 'vrf') return l.vrfTable;
  const m = l?.master ? ns.links.get(l.master) : undefined;
  return m?.kind === 'vrf' ? m.vrfTable : undefined;
}

function better(a: NetRoute, b: NetRoute | undefined): boolean {
  return !b || a.prefix > b.prefix || (a.prefix === b.prefix && a.metric < b.metric);
}

export function lookupTable(ns: NetNs, table: number, q: LookupQuery): { route?: NetRoute; downRoute?: NetRoute } {
  const route = bestIn(ns, table, q, true);
  return route ? { route } : { downRoute: bestIn(ns, table, q, false) };
}

/** The best route of the table for the query among routes whose link is up (`up`), or among those whose link is down. */
function bestIn(ns: NetNs, table: number, q: LookupQuery, up: boolean): NetRoute | undefined {
  let best: NetRoute | undefined;
  const routes = ns.tables.get(table);
  if (!routes) return undefined;
  for (const r of routes) {
    if (r.family !== q.family || !inPrefix(q.dst, r.dst, r.prefix)) continue;
    if (q.oif && r.dev && r.dev !== q.oif) continue;
    const linkUp = !r.dev || r.type === 'local' || !!ns.links.get(r.dev)?.up;
    if (linkUp === up && better(r, best)) best = r;
  }
  return best;
}

const NO_TRIES: LookupResult['tried'] = [];

/**
 * Per namespace and family: lookups already made, by destination, when its rules select by destination
 * alone (no from/iif/oif/fwmark/not/l3mdev/unknown rule), so the answer depends on nothing else. A matrix
 * asks the same namespace for the same destination hundreds of times. Sound because a Net is never
 * changed once built (see Net in ./net.ts); `null` marks a rule set that cannot be cached.
 */
const cache = new WeakMap<NetNs, { 4: Map<string, LookupResult> | null; 6: Map<string, LookupResult> | null }>();

const byDestinationOnly = (rules: readonly NetRule[]) => rules.every((r) => !r.from && !r.iif && !r.oif && !r.fwmark && !r.not && !r.l3mdev && !r.unknown);

export function lookupRoute(ns: NetNs, q: LookupQuery): LookupResult {
  if (q.oif) return lookupUncached(ns, q);
  let c = cache.get(ns);
  if (!c) cache.set(ns, (c = { 4: byDestinationOnly(ns.rules[4]) ? new Map() : null, 6: byDestinationOnly(ns.rules[6]) ? new Map() : null }));
  const m = c[q.family];
  if (!m) return lookupUncached(ns, q);
  const k = ipKey(q.dst);
  let r = m.get(k);
  if (!r) m.set(k, (r = lookupUncached(ns, q)));
  return r;
}

function lookupUncached(ns: NetNs, q: LookupQuery): LookupResult {
  let downRoute: NetRoute | undefined;
  let tried = NO_TRIES;
  for (const rule of ns.rules[q.family]) {
    const sel = ruleSelects(rule, q);
    if (!sel) continue;
    if (rule.unknown || sel === 'unknown') return { unknownRule: rule, downRoute, tried };
    if (rule.action !== 'lookup') return { rule, downRoute, tried };
    const table = rule.l3mdev ? vrfTableOf(ns, q.iif === 'lo' ? (q.oif ?? q.l3dev) : q.iif) : rule.table;
    if (table === undefined) continue;
    const route = bestIn(ns, table, q, true);
    // `throw` and friends (type other) send the lookup on to the next rule, like an empty table
    if (route && route.type !== 'other') return { route, rule, downRoute, tried };
    downRoute ??= bestIn(ns, table, q, false);
    if (tried === NO_TRIES) tried = [];
    tried.push({ rule, table });
  }
  return { downRoute, tried };
}

const DEFAULT_RULES = new Set(['0:255', '32766:254', '32767:253']);

/** Are these the rules of a fresh namespace (so a failed lookup is about routes, not rules)? */
export function onlyDefaultRules(ns: NetNs, family: Family): boolean {
  const rules = ns.rules[family];
  return rules.some((r) => r.priority === 32766 && r.table === 254) && rules.every((r) => DEFAULT_RULES.has(`${r.priority}:${r.table}`) || r.l3mdev);
}

/** The device a route leaves by: its dev, or the device of the connected route its gateway is on. */
export function routeDev(ns: NetNs, r: NetRoute): string | undefined {
  if (r.dev) return r.dev;
  if (!r.via) return undefined;
  const on = onLinkDev(ns, r.via, r.family);
  return on;
}

/** The device whose connected subnet holds `ip` (gateway on-link check). */
export function onLinkDev(ns: NetNs, ip: Ip, family: Family, dev?: string): string | undefined {
  for (const l of ns.links.values()) {
    if (!l.up || (dev && l.name !== dev)) continue;
    for (const a of l.addrs) if (a.family === family && a.prefix < (family === 4 ? 32 : 128) && inPrefix(ip, a.ip, a.prefix)) return l.name;
  }
  // a connected route without gateway (e.g. `ip route add 10.9.0.0/24 dev veth1`) also makes it on-link
  for (const t of ns.tables.values()) {
    for (const r of t) {
      if (
        r.family === family &&
        r.type === 'unicast' &&
        !r.via &&
        r.dev &&
        (!dev || r.dev === dev) &&
        r.prefix > 0 &&
        inPrefix(ip, r.dst, r.prefix) &&
        ns.links.get(r.dev)?.up
      )
        return r.dev;
    }
  }
  return dev && ns.links.get(dev)?.up && [...ns.tables.values()].some((t) => t.some((r) => r.family === family && !r.via && r.dev === dev && r.prefix === 0))
    ? dev
    : undefined;
}

/** The source address the kernel picks for a packet to `to` leaving by `dev` on `route`. */
export function selectSource(ns: NetNs, route: NetRoute, dev: string, to: Ip, family: Family): Ip | undefined {
  if (route.src) return route.src;
  const usable = (ip: Ip) => family === 4 || ip.range() !== 'linkLocal';
  const l = ns.links.get(dev);
  const mine = (l?.addrs ?? []).filter((a) => a.family === family && usable(a.ip));
  const hop = route.via ?? to;
  const sameNet = mine.find((a) => inPrefix(hop, a.ip, a.prefix));
  if (sameNet) return sameNet.ip;
  if (mine.length) return mine[0].ip;
  // none on the device: any global address of the namespace (IPv4 picks from other links too)
  for (const o of ns.links.values()) {
    if (!o.up || o.kind === 'loopback') continue;
    const a = o.addrs.find((x) => x.family === family && usable(x.ip));
    if (a) return a.ip;
  }
  return undefined;
}

// ---------------------------------------------------------------- IPv6 source selection without a device

/** RFC 6724's default policy table as the kernel holds it (net/ipv6/addrlabel.c): longest prefix gives the label. */
const LABELS: { net: Ip; prefix: number; label: number }[] = [
  ['::1', 128, 0],
  ['::', 96, 3],
  ['::ffff:0:0', 96, 4],
  ['2001::', 32, 6],
  ['2001:10::', 28, 7],
  ['2002::', 16, 2],
  ['3ffe::', 16, 12],
  ['fec0::', 10, 11],
  ['fc00::', 7, 5],
  ['::', 0, 1],
].map(([a, prefix, label]) => ({ net: ipaddr.IPv6.parse(a as string), prefix: prefix as number, label: label as number }));

function label6(ip: Ip): number {
  for (const l of LABELS) if (inPrefix(ip, l.net, l.prefix)) return l.label;
  return 1;
}

/** IPv6 scope as the kernel ranks it: host (::1) 1, link (fe80::/10) 2, site (fec0::/10) 5, global 14. */
function scope6(ip: Ip): number {
  const r = ip.range();
  return r === 'loopback' ? 1 : r === 'linkLocal' ? 2 : inPrefix(ip, LABELS[7].net, 10) ? 5 : 14;
}

/** Leading bits two IPv6 addresses share. */
function commonBits(a: Ip, b: Ip): number {
  const x = (a as ipaddr.IPv6).parts;
  const y = (b as ipaddr.IPv6).parts;
  for (let i = 0; i < 8; i++) {
    const d = x[i] ^ y[i];
    if (d) return i * 16 + Math.clz32(d) - 16;
  }
  return 128;
}

/**
 * The source the kernel picks for `dst` when no route gave a device
 * (ipv6_dev_get_saddr with no device: every address of the namespace is a
 * candidate). RFC 6724's rules in the kernel's order, those that can differ
 * here: appropriate scope (2), same label (6), longest matching prefix up to the
 * address's own prefix length (8); a tie keeps the first in device order.
 */
export function selectSourceAnywhere(ns: NetNs, dst: Ip): Ip | undefined {
  const dScope = scope6(dst);
  const dLabel = label6(dst);
  let best: { ip: Ip; scope: number; label: boolean; match: number } | undefined;
  for (const l of ns.links.values()) {
    if (!l.up) continue;
    for (const a of l.addrs) {
      if (a.family !== 6) continue;
      const c = { ip: a.ip, scope: scope6(a.ip), label: label6(a.ip) === dLabel, match: Math.min(commonBits(a.ip, dst), a.prefix) };
      if (!best || better6(c, best, dScope)) best = c;
    }
  }
  return best?.ip;
}

function better6(a: { scope: number; label: boolean; match: number }, b: { scope: number; label: boolean; match: number }, dScope: number): boolean {
  if (a.scope !== b.scope) return a.scope < b.scope ? a.scope >= dScope : b.scope < dScope;
  if (a.label !== b.label) return a.label;
  return a.match > b.match;
}
