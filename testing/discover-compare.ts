/**
 * Puts a discovered document and a fixture topology in one comparable form:
 * canonical order and defaults (shared/export/yaml.ts canonicalTopology), veth
 * ends in a fixed order (a pair has no direction in the kernel), and without what
 * the kernel does not hold (metadata, layout, forwarders: those live in the
 * forwarder runtime, not in any namespace).
 */
import type { ObservedHost } from '../shared/model/observed';
import { HOST_NS, type Topology, type VethEnd } from '../shared/model/schema';
import { canonicalTopology } from '../shared/export/yaml';
import { routeTableId, ruleFamily, tableId } from '../shared/model/tables';
import { inSubnet, parseIp } from '../shared/validate/ip';
import { indexTopology } from '../shared/validate/topology-index';
import { resolvLines, type HostDump, type NsDump } from './host-dump';

const endKey = (e: VethEnd) => `${e.namespace === HOST_NS ? '' : e.namespace}/${e.name}`;

export function comparableTopology(doc: Topology): Topology {
  const c = canonicalTopology({
    ...withTableNumbers(doc),
    metadata: {},
    layout: undefined,
    forwarders: [],
    veths: doc.veths.map((v) => ({ ends: [...v.ends].sort((a, b) => (endKey(a) < endKey(b) ? -1 : 1)) as [VethEnd, VethEnd] })),
  });
  delete (c as { layout?: unknown }).layout;
  return c;
}

/**
 * Tables by number, names dropped: a document naming its tables (`table: uplink1`)
 * and one discovered on a host whose rt_tables does not name them are the same host.
 * Rules get their family written, as discover writes it only where prefixes do not tell.
 */
export function withTableNumbers(doc: Topology): Topology {
  return {
    ...doc,
    namespaces: doc.namespaces.map(({ tables, ...n }) => ({
      ...n,
      ...(n.routes ? { routes: n.routes.map((r) => (r.table === undefined ? r : { ...r, table: routeTableId(r, tables) ?? r.table })) } : {}),
      ...(n.rules
        ? { rules: n.rules.map((r) => ({ ...r, family: ruleFamily(r), ...(r.table !== undefined ? { table: tableId(r.table, tables) ?? r.table } : {}) })) }
        : {}),
    })),
  };
}

/**
 * Fills what a fixture leaves to the kernel: a route `via` a gateway without `dev`
 * goes out of the one link whose subnet holds the gateway, and the kernel reports
 * that dev. The fixture made complete this way can be compared exactly.
 */
export function withImpliedRouteDevs(doc: Topology): Topology {
  const { interfaces } = indexTopology(doc);
  return {
    ...doc,
    namespaces: doc.namespaces.map((n) => ({
      ...n,
      routes: n.routes.map((r) => {
        if (r.dev || !r.via) return r;
        const via = parseIp(r.via);
        // one entry per matching address, as two addresses in the subnet leave the dev open
        const on = interfaces
          .filter((f) => f.namespace === n.name)
          .flatMap((f) => f.addresses.filter((a) => via && a.cidr && inSubnet(via, a.cidr)).map(() => f.name));
        return on.length === 1 ? { ...r, dev: on[0] } : r;
      }),
    })),
  };
}

/**
 * The observed host (from discover) in the shape of testing/host-dump.ts, for the
 * facts both read: links (kind, admin state, MTU, master, alias, VRF table, veth
 * peer by name), addresses, static routes, forwarding sysctls, resolv.conf and
 * NAT rules. Rules are left out: the dump keeps ip's raw JSON for them.
 * `label` maps a real namespace name to the dump's (prefix stripped, `host`).
 */
export function observedAsDump(observed: ObservedHost, label: (name: string) => string): Record<string, Omit<NsDump, 'rules'>> {
  const out: Record<string, Omit<NsDump, 'rules'>> = {};
  for (const ns of observed.namespaces) {
    const links: NsDump['links'] = {};
    const addresses: string[] = [];
    for (const l of ns.links) {
      const d: Record<string, unknown> = { kind: l.rawKind, up: l.up, mtu: l.mtu };
      if (l.master) d.master = l.master;
      if (l.alias) d.alias = l.alias;
      if (l.kind === 'vrf') d.table = l.vrfTable;
      if (l.kind === 'veth') d.peer = l.peer?.namespace && l.peer.name ? `${label(l.peer.namespace)}/${l.peer.name}` : `unresolved/#${l.peer?.ifindex}`;
      links[l.name] = d;
      for (const a of l.addresses) if (!(a.family === 6 && a.scope === 'link')) addresses.push(`${l.name} ${a.cidr}`);
    }
    const routes: string[] = [];
    for (const r of ns.routes) {
      if (r.protocol === 'kernel' || r.table === 255) continue;
      if (['multicast', 'local', 'broadcast', 'anycast'].includes(r.type)) continue;
      if (r.dst.startsWith('ff00::') || r.dst.startsWith('fe80::')) continue;
      const parts = [`-${r.family}`, r.type, r.dst];
      if (r.via) parts.push(`gateway=${r.via}`);
      if (r.dev) parts.push(`dev=${r.dev}`);
      parts.push(`table=${TABLE_NAMES[r.table] ?? r.table}`); // `show table all` names every route's table
      if (r.metric !== undefined) parts.push(`metric=${r.metric}`);
      if (r.src) parts.push(`prefsrc=${r.src}`);
      if (r.onlink) parts.push('onlink');
      for (const h of r.nexthops ?? []) parts.push(`nexthop=${h.via ?? ''},${h.dev ?? ''},${h.weight}${h.onlink ? ',onlink' : ''}`);
      routes.push(parts.join(' '));
    }
    const name = label(ns.name);
    const resolv = name === 'host' || ns.resolvConf === undefined ? null : resolvLines(ns.resolvConf);
    out[name] = {
      links: Object.fromEntries(Object.entries(links).sort(([a], [b]) => a.localeCompare(b))),
      addresses: addresses.sort(),
      routes: routes.sort(),
      sysctl: {
        'net.ipv4.ip_forward': ns.sysctls['net.ipv4.ip_forward'] ?? null,
        'net.ipv6.conf.all.forwarding': ns.sysctls['net.ipv6.conf.all.forwarding'] ?? null,
      },
      resolv,
      nat: ns.natLines ? ns.natLines.map((l) => l.trim()).sort() : null,
    };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const TABLE_NAMES: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };

/** A host dump without the rules (see observedAsDump). */
export function withoutRules(d: HostDump): Record<string, Omit<NsDump, 'rules'>> {
  return Object.fromEntries(Object.entries(d).map(([k, { rules: _rules, ...rest }]) => [k, rest]));
}
