/**
 * A topology document → the analysis's network (./net.ts), with what the kernel
 * would add by itself once the document is applied: loopback, connected routes
 * (metric 0, IPv6 256) on links that are up and local routes (IPv4: on any link, as the
 * kernel keeps them when a link goes down; IPv6: links that are up), in
 * the VRF's table for VRF members; the default policy rules (and the l3mdev
 * rule once a VRF exists); carrier from both veth ends; a bridge has carrier
 * when one of its ports has. A fresh namespace's filter table accepts
 * everything, and bridge netfilter is on (net.bridge.bridge-nf-call-iptables = 1).
 *
 * Pure: no node:* imports.
 */
import { HOST_NS, type PolicyRule, type Topology } from '../model/schema';
import { networkOf, parseCidr, parseIp } from '../validate/ip';
import { natRuleOf } from './iptables';
import { MAIN_TABLE, routeTableId, ruleFamily, tableId, type TableNames } from '../model/tables';
import { defaultRules, ipKey, type Family, type NetAddr, type NetNs, type NetRoute, type NetRule, type Net } from './net';

export function emptyNs(name: string): NetNs {
  return {
    name,
    links: new Map([['lo', { name: 'lo', kind: 'loopback', up: true, carrier: true, oper: 'UNKNOWN', addrs: [] }]]),
    rules: { 4: defaultRules(4), 6: defaultRules(6) },
    tables: new Map(),
    forwarding: { 4: false, 6: false },
    rpFilter: 0,
    bridgeNf: true,
    bridgeNf6: true,
    loopbackUp: true,
    nat: [],
    mangle: { 4: [], 6: [] },
    local: new Map(),
  };
}

function addrsOf(list: string[]): NetAddr[] {
  const out: NetAddr[] = [];
  for (const cidr of list) {
    const c = parseCidr(cidr);
    if (c) out.push({ ip: c.addr, prefix: c.prefix, family: c.kind === 'ipv4' ? 4 : 6, cidr });
  }
  return out;
}

export function pushRoute(ns: NetNs, r: NetRoute): void {
  let t = ns.tables.get(r.table);
  if (!t) ns.tables.set(r.table, (t = []));
  t.push(r);
}

/** Connected and local routes of every address on an up link; the addresses become local. */
export function deriveKernelRoutes(ns: NetNs): void {
  for (const l of ns.links.values()) {
    const vrf = l.master ? ns.links.get(l.master) : undefined;
    const table = vrf?.kind === 'vrf' ? vrf.vrfTable : undefined;
    for (const a of l.addrs) {
      // the kernel keeps an IPv4 address local while its link is down (IPv6 drops it); its subnet route goes with the link
      if (!l.up && a.family === 6) continue;
      ns.local.set(ipKey(a.ip), l);
      const src = a.ip.toString();
      pushRoute(ns, {
        family: a.family,
        type: 'local',
        dst: a.ip,
        prefix: a.family === 4 ? 32 : 128,
        dev: l.name,
        metric: 0,
        table: table ?? 255,
        src: a.ip,
        text: `local ${src} dev ${l.name} table ${table ?? 'local'} proto kernel scope host src ${src}`,
      });
      const full = a.family === 4 ? 32 : 128;
      if (a.prefix === full || !l.up) continue;
      const net = parseCidr(networkOf({ addr: a.ip, prefix: a.prefix, kind: a.family === 4 ? 'ipv4' : 'ipv6' }))!.addr;
      pushRoute(ns, {
        family: a.family,
        type: 'unicast',
        dst: net,
        prefix: a.prefix,
        dev: l.name,
        metric: a.family === 4 ? 0 : 256,
        table: table ?? 254,
        src: a.ip,
        text: `${net.toString()}/${a.prefix} dev ${l.name}${table ? ` table ${table}` : ''} proto kernel scope link src ${src}`,
      });
    }
  }
  if (ns.loopbackUp) {
    ns.local.set(ipKey(parseIp('127.0.0.1')!), ns.links.get('lo')!);
    ns.local.set(ipKey(parseIp('::1')!), ns.links.get('lo')!);
    pushRoute(ns, {
      family: 4,
      type: 'local',
      dst: parseIp('127.0.0.0')!,
      prefix: 8,
      dev: 'lo',
      metric: 0,
      table: 255,
      src: parseIp('127.0.0.1')!,
      text: 'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
    });
    pushRoute(ns, {
      family: 6,
      type: 'local',
      dst: parseIp('::1')!,
      prefix: 128,
      dev: 'lo',
      metric: 0,
      table: 255,
      text: 'local ::1 dev lo table local proto kernel metric 0',
    });
  }
}

/** A document's policy rule as the kernel holds it, written as `ip rule` prints it. */
export function ruleOf(r: PolicyRule, names: TableNames): NetRule {
  const family = ruleFamily(r);
  const action = r.action ?? 'lookup';
  const rule: NetRule = { family, priority: r.priority, action, text: '' };
  const prefix = (v: string) => {
    const c = parseCidr(v.includes('/') ? v : `${v}/${family === 4 ? 32 : 128}`);
    return c ? { ip: c.addr, prefix: c.prefix } : undefined;
  };
  const words = [`${r.priority}:`, 'from', r.from ?? 'all'];
  if (r.from) {
    rule.from = prefix(r.from);
    if (!rule.from) rule.unknown = `from ${r.from}`;
  }
  if (r.to) {
    words.push('to', r.to);
    rule.to = prefix(r.to);
    if (!rule.to) rule.unknown ??= `to ${r.to}`;
  }
  if (r.fwmark !== undefined) {
    rule.fwmark = { value: r.fwmark, mask: r.fwmask ?? 0xffffffff };
    words.push('fwmark', `0x${r.fwmark.toString(16)}${r.fwmask !== undefined ? `/0x${r.fwmask.toString(16)}` : ''}`);
  }
  if (r.iif) (words.push('iif', r.iif), (rule.iif = r.iif));
  if (r.oif) (words.push('oif', r.oif), (rule.oif = r.oif));
  if (action === 'lookup') {
    // `ip rule add` without a table looks up main
    const id = r.table === undefined ? MAIN_TABLE : tableId(r.table, names);
    if (id === undefined) rule.unknown ??= `lookup ${r.table}`;
    else rule.table = id;
    words.push('lookup', r.table === undefined ? 'main' : String(r.table));
  } else words.push(action);
  rule.text = words.join(' ');
  return rule;
}

export function netOfDocument(doc: Topology): Net {
  const namespaces = new Map<string, NetNs>();
  const nsOf = (name: string) => {
    let n = namespaces.get(name);
    if (!n) namespaces.set(name, (n = emptyNs(name)));
    return n;
  };
  for (const d of doc.namespaces) {
    const n = nsOf(d.name);
    n.loopbackUp = d.loopback !== 'down';
    n.links.get('lo')!.up = n.loopbackUp;
    n.forwarding[4] = d.sysctls['net.ipv4.ip_forward'] === '1';
    n.forwarding[6] = d.sysctls['net.ipv6.conf.all.forwarding'] === '1';
    const rp = Number(d.sysctls['net.ipv4.conf.all.rp_filter'] ?? 0);
    n.rpFilter = rp === 1 ? 1 : rp === 2 ? 2 : 0;
    n.nat = d.nat.map(natRuleOf);
    for (const v of d.vrfs)
      n.links.set(v.name, { name: v.name, kind: 'vrf', up: v.up, carrier: v.up, oper: v.up ? 'UP' : 'DOWN', addrs: [], vrfTable: v.table });
    if (d.vrfs.length) {
      for (const f of [4, 6] as Family[])
        n.rules[f].splice(1, 0, { family: f, priority: 1000, l3mdev: true, action: 'lookup', text: '1000: from all lookup [l3mdev-table]' });
    }
    for (const r of d.rules ?? []) {
      const rule = ruleOf(r, d.tables);
      // the kernel puts a rule after those of the same priority already there (a stable sort does the same)
      n.rules[rule.family] = [...n.rules[rule.family], rule].sort((a, b) => a.priority - b.priority);
    }
  }
  if (!namespaces.has(HOST_NS) && (doc.bridges.some((b) => b.namespace === HOST_NS) || doc.veths.some((v) => v.ends.some((e) => e.namespace === HOST_NS))))
    nsOf(HOST_NS);
  for (const b of doc.bridges) {
    nsOf(b.namespace).links.set(b.name, {
      name: b.name,
      kind: 'bridge',
      up: b.up,
      carrier: false,
      oper: 'DOWN',
      master: b.master,
      addrs: addrsOf(b.addresses),
    });
  }
  for (const v of doc.veths) {
    const [a, b] = v.ends;
    const carrier = a.up && b.up;
    for (const [e, o] of [
      [a, b],
      [b, a],
    ] as const) {
      nsOf(e.namespace).links.set(e.name, {
        name: e.name,
        kind: 'veth',
        up: e.up,
        carrier,
        oper: carrier ? 'UP' : e.up ? 'LOWERLAYERDOWN' : 'DOWN',
        master: e.master,
        addrs: addrsOf(e.addresses),
        peer: { ns: o.namespace, name: o.name },
      });
    }
  }
  // a bridge is operationally up when it is up and one of its ports passes frames
  for (const n of namespaces.values()) {
    for (const l of n.links.values()) {
      if (l.kind !== 'bridge') continue;
      l.carrier = l.up && [...n.links.values()].some((p) => p.master === l.name && p.up && p.carrier);
      l.oper = l.carrier ? 'UP' : 'DOWN';
    }
  }
  for (const n of namespaces.values()) deriveKernelRoutes(n);
  for (const d of doc.namespaces) {
    const n = nsOf(d.name);
    for (const r of d.routes) {
      const family: Family = r.to.includes(':') || (r.via ?? '').includes(':') ? 6 : 4;
      const dst =
        r.to === 'default'
          ? { addr: parseIp(family === 4 ? '0.0.0.0' : '::')!, prefix: 0 }
          : parseCidr(r.to.includes('/') ? r.to : `${r.to}/${family === 4 ? 32 : 128}`);
      if (!dst) continue;
      // a multipath route: the walk follows every path (which one a ping takes is the kernel's hash); via/dev are the first's
      const first = r.nexthops?.[0];
      const nexthops = r.nexthops?.map((h) => ({ via: h.via ? (parseIp(h.via) ?? undefined) : undefined, dev: h.dev }));
      const viaText = r.via ?? first?.via;
      const via = viaText ? (parseIp(viaText) ?? undefined) : undefined;
      const hops = r.nexthops
        ? r.nexthops.map((h) => `nexthop${h.via ? ` via ${h.via}` : ''}${h.dev ? ` dev ${h.dev}` : ''}${h.weight ? ` weight ${h.weight}` : ''}`).join(' ')
        : '';
      const text = [
        r.type && r.type !== 'unicast' ? r.type : '',
        r.to,
        r.via ? `via ${r.via}` : '',
        r.dev ? `dev ${r.dev}` : '',
        r.table ? `table ${r.table}` : '',
        r.metric !== undefined ? `metric ${r.metric}` : '',
        r.src ? `src ${r.src}` : '',
        hops,
      ]
        .filter(Boolean)
        .join(' ');
      pushRoute(n, {
        family,
        type: r.type ?? 'unicast',
        dst: dst.addr,
        prefix: dst.prefix,
        via,
        dev: r.dev ?? first?.dev,
        metric: r.metric ?? (family === 6 ? 1024 : 0),
        table: routeTableId(r, d.tables) ?? 254,
        src: r.src ? (parseIp(r.src) ?? undefined) : undefined,
        ...(nexthops ? { nexthops } : {}),
        text,
      });
    }
  }
  return { namespaces, source: 'document' };
}
