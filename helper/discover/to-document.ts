/**
 * The observed host → a topology document, holding only what the model can
 * represent and a person would write: named namespaces (and `host` for the veth
 * ends, bridges and VRFs in it with their addresses and routes), veth pairs as
 * one entry, bridges, VRFs, static routes, non-default forwarding sysctls, NAT
 * rules and resolv.conf. Never the host's own uplinks, its default route, its
 * sysctls or its firewall: those are not part of a topology someone draws.
 */
import type { ObservedHost, ObservedLink, ObservedNamespace, ObservedRoute } from '../../shared/model/observed';
import { API_VERSION, HOST_NS, KIND, type Bridge, type Namespace, type NatRule, type Route, type Topology, type Veth, type VethEnd } from '../../shared/model/schema';

const DOC_LINK_KINDS = new Set(['veth', 'bridge', 'vrf']);
const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit']);
const DEFAULT_MTU = 1500;

export interface ToDocumentOptions {
  /** NatRule per namespace name (parsed from natLines), when read */
  nat?: Map<string, NatRule[]>;
  /** DNS per namespace name (/etc/netns/NAME/resolv.conf) */
  dns?: Map<string, Namespace['dns']>;
  /** metadata.name */
  name?: string;
}

function docAddresses(l: ObservedLink): string[] {
  return l.addresses.filter((a) => !(a.scope === 'link' && a.family === 6)).map((a) => a.cidr);
}

/** Links of a namespace a document can hold (loopback is `loopback: up|down`). */
function docLinks(ns: ObservedNamespace): ObservedLink[] {
  return ns.links.filter((l) => DOC_LINK_KINDS.has(l.kind));
}

function routeOf(r: ObservedRoute, links: Set<string>, isHost: boolean): Route | undefined {
  if (r.protocol === 'kernel' || r.table === 255 || !ROUTE_TYPES.has(r.type)) return undefined;
  if (r.family === 6 && (r.dst.startsWith('fe80:') || r.dst.startsWith('ff00:') || r.dst === 'ff00::/8')) return undefined;
  if (r.dev !== undefined && !links.has(r.dev) && r.dev !== 'lo') return undefined; // a route over a link the document does not have
  if (isHost && r.dev === undefined) return undefined;
  if (isHost && r.dev === 'lo') return undefined;
  const out: Route = { to: r.dst };
  if (r.via) out.via = r.via;
  if (r.dev) out.dev = r.dev;
  if (r.metric !== undefined && !(r.family === 6 && r.metric === 1024) && r.metric !== 0) out.metric = r.metric;
  if (r.table !== 254) out.table = r.table;
  if (r.src) out.src = r.src;
  if (r.type !== 'unicast') out.type = r.type as Route['type'];
  return out;
}

export function toDocument(host: ObservedHost, opts: ToDocumentOptions = {}): Topology {
  const named = host.namespaces.filter((n) => n.named);
  const inDoc = new Set(named.map((n) => n.name));
  const namespaces: Namespace[] = [];
  const bridges: Bridge[] = [];
  const veths: Veth[] = [];
  const seenEnds = new Set<string>();
  // lookups by name and ifindex: a host with 500 veths must not cost 500 × 500 scans
  const byName = new Map(host.namespaces.map((n) => [n.name, n]));
  const linkIndex = new Map<ObservedNamespace, Map<number, ObservedLink>>();
  const masters = new Map<ObservedNamespace, Set<string>>();
  /** names of the bridges and VRFs of a namespace: what a document's `master` may name */
  const mastersOf = (n: ObservedNamespace) => {
    let m = masters.get(n);
    if (!m) masters.set(n, (m = new Set(n.links.filter((x) => x.kind === 'bridge' || x.kind === 'vrf').map((x) => x.name))));
    return m;
  };
  const linkAt = (n: ObservedNamespace, ifindex: number) => {
    let m = linkIndex.get(n);
    if (!m) linkIndex.set(n, (m = new Map(n.links.map((l) => [l.ifindex, l]))));
    return m.get(ifindex);
  };
  for (const ns of named) {
    const isHost = ns.name === HOST_NS;
    const links = docLinks(ns);
    const linkNames = new Set(links.map((l) => l.name));
    const lo = ns.links.find((l) => l.kind === 'loopback');
    const sysctls: Namespace['sysctls'] = {};
    if (!isHost) {
      for (const [k, v] of Object.entries(ns.sysctls)) if (v !== '0') (sysctls as Record<string, string>)[k] = v;
    }
    const routes = ns.routes.map((r) => routeOf(r, linkNames, isHost)).filter((r): r is Route => !!r);
    const n: Namespace = {
      name: ns.name,
      loopback: !lo || lo.up ? 'up' : 'down',
      sysctls,
      routes,
      nat: isHost ? [] : opts.nat?.get(ns.name) ?? [],
      vrfs: links.filter((l) => l.kind === 'vrf').map((l) => ({ name: l.name, table: l.vrfTable ?? 0, up: l.up })),
    };
    const dns = isHost ? undefined : opts.dns?.get(ns.name);
    if (dns && dns.nameservers.length) n.dns = dns;
    namespaces.push(n);
    for (const l of links) {
      const masterOk = (m?: string) => (m && mastersOf(ns).has(m) ? m : undefined);
      if (l.kind === 'bridge') {
        const b: Bridge = { name: l.name, namespace: ns.name, addresses: docAddresses(l), up: l.up };
        if (l.mtu !== DEFAULT_MTU) b.mtu = l.mtu;
        const m = masterOk(l.master);
        if (m) b.master = m;
        bridges.push(b);
      } else if (l.kind === 'veth') {
        const key = `${ns.name}/${l.name}`;
        if (seenEnds.has(key)) continue;
        const p = l.peer;
        if (!p?.namespace || !inDoc.has(p.namespace)) continue; // other end unknown or in an unnamed namespace
        const peerNs = byName.get(p.namespace)!;
        const pl = linkAt(peerNs, p.ifindex);
        if (!pl) continue;
        seenEnds.add(key);
        seenEnds.add(`${peerNs.name}/${pl.name}`);
        const end = (o: ObservedNamespace, x: ObservedLink): VethEnd => {
          const e: VethEnd = { namespace: o.name, name: x.name, addresses: docAddresses(x), up: x.up };
          if (x.mtu !== DEFAULT_MTU) e.mtu = x.mtu;
          if (x.master && mastersOf(o).has(x.master)) e.master = x.master;
          return e;
        };
        const ends = [end(ns, l), end(peerNs, pl)].sort(endOrder) as [VethEnd, VethEnd];
        veths.push({ ends });
      }
    }
  }
  // a namespace-less `host` entry adds nothing: keep it only when it holds something
  const hostUsed = bridges.some((b) => b.namespace === HOST_NS) || veths.some((v) => v.ends.some((e) => e.namespace === HOST_NS));
  const hostNs = namespaces.find((n) => n.name === HOST_NS);
  const keepHost = hostUsed || (hostNs && (hostNs.routes.length || hostNs.vrfs.length));
  const doc: Topology = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: opts.name ? { name: opts.name } : {},
    namespaces: namespaces.filter((n) => n.name !== HOST_NS || keepHost).sort((a, b) => nsOrder(a.name, b.name)),
    bridges: bridges.sort((a, b) => nsOrder(a.namespace, b.namespace) || a.name.localeCompare(b.name)),
    veths: veths.sort((a, b) => endOrder(a.ends[0], b.ends[0])),
    forwarders: [],
  };
  return doc;
}

/** Document order: host first, then by name (watch's incremental documents use the same). */
export function nsOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (a === HOST_NS) return -1;
  if (b === HOST_NS) return 1;
  return a < b ? -1 : 1;
}

export function endOrder(a: VethEnd, b: VethEnd): number {
  return nsOrder(a.namespace, b.namespace) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
