/**
 * The observed host → a topology document, holding only what the model can
 * represent and a person would write: named namespaces (and `host` for the veth
 * ends, bridges and VRFs in it with their addresses and routes), veth pairs as
 * one entry, bridges, VRFs, static routes (any table, multipath), policy rules
 * beyond the kernel's own, non-default forwarding sysctls, NAT rules and
 * resolv.conf; tables by the host's rt_tables names where it has them. Never
 * the host's own uplinks, its default route, its sysctls, its own policy rules or
 * its firewall: those are not part of a topology someone draws.
 */
import type { ObservedHost, ObservedLink, ObservedNamespace, ObservedRoute, ObservedRule } from '../../shared/model/observed';
import { ruleFamily } from '../../shared/model/tables';
import { API_VERSION, HOST_NS, KIND, SYSCTL_KEYS } from '../../shared/model/constants';
import type { Bridge, Namespace, NatRule, PolicyRule, Route, TableRef, Topology, Veth, VethEnd } from '../../shared/model/schema';

const DOC_LINK_KINDS = new Set(['veth', 'bridge', 'vrf']);
const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'local']);
const RULE_ACTIONS = new Set<string>(['blackhole', 'unreachable', 'prohibit']);
const DEFAULT_MTU = 1500;

export interface ToDocumentOptions {
  /** NatRule per namespace name (parsed from natLines), when read */
  nat?: Map<string, NatRule[]>;
  /** DNS per namespace name (/etc/netns/NAME/resolv.conf) */
  dns?: Map<string, Namespace['dns']>;
  /** metadata.name */
  name?: string;
  /** the host's names for tables (rt_tables: name → id); a table with a name is written by it */
  tableNames?: ReadonlyMap<string, number>;
  /** told of every rule the document would hold but has no words for (so it is left out): `why` names what */
  onLeftOut?: (namespace: string, rule: ObservedRule, why: string) => void;
  /**
   * `all`: every policy rule of `host` the model can say, not only those over its
   * document links or into tables its routes use. For the planner (../apply/observe.ts):
   * it must see a host rule the document asks for (a blackhole rule names no link),
   * and any other at the same priority, to know what is there; the rule diff leaves
   * alone those the document does not mention and we did not make.
   */
  hostRules?: 'topology' | 'all';
}

function docAddresses(l: ObservedLink): string[] {
  return l.addresses.filter((a) => !(a.scope === 'link' && a.family === 6)).map((a) => a.cidr);
}

/** Links of a namespace a document can hold (loopback is `loopback: up|down`). */
function docLinks(ns: ObservedNamespace): ObservedLink[] {
  return ns.links.filter((l) => DOC_LINK_KINDS.has(l.kind));
}

function routeOf(r: ObservedRoute, links: Set<string>, isHost: boolean): Route | undefined {
  if (r.protocol === 'kernel' || !ROUTE_TYPES.has(r.type)) return undefined;
  if (r.table === 255 && r.type !== 'local') return undefined; // the kernel's broadcast/anycast entries
  if (r.family === 6 && (r.dst.startsWith('fe80:') || r.dst.startsWith('ff00:') || r.dst === 'ff00::/8')) return undefined;
  const devs = r.nexthops ? r.nexthops.map((h) => h.dev) : [r.dev];
  // a route over a link the document does not have
  if (devs.some((d) => d !== undefined && !links.has(d) && d !== 'lo')) return undefined;
  if (isHost && devs.some((d) => d === undefined || d === 'lo')) return undefined;
  const out: Route = { to: r.dst };
  if (r.via) out.via = r.via;
  if (r.dev) out.dev = r.dev;
  if (r.metric !== undefined && !(r.family === 6 && r.metric === 1024) && r.metric !== 0) out.metric = r.metric;
  if (r.table !== (r.type === 'local' ? 255 : 254)) out.table = r.table;
  if (r.src) out.src = r.src;
  if (r.type !== 'unicast') out.type = r.type as Route['type'];
  if (r.onlink) out.onlink = true;
  if (r.nexthops) {
    out.nexthops = r.nexthops.map((h) => ({
      ...(h.via ? { via: h.via } : {}),
      ...(h.dev ? { dev: h.dev } : {}),
      ...(h.weight !== 1 ? { weight: h.weight } : {}),
      ...(h.onlink ? { onlink: true } : {}),
    }));
  }
  return out;
}

/** The kernel's own rules (local, main, default; VRF's l3mdev rule): implicit in a document. */
function kernelRule(r: ObservedRule): boolean {
  if (r.l3mdev) return true;
  const bare = !r.from && !r.to && !r.iif && !r.oif && r.fwmark === undefined && !r.not && r.action === undefined && !r.unsaid;
  return bare && ((r.priority === 0 && r.tableId === 255) || (r.priority === 32766 && r.tableId === 254) || (r.priority === 32767 && r.tableId === 253));
}

/** What of an observed (non-kernel) rule a document cannot say; undefined when it can say all of it. */
export function unsayable(r: ObservedRule): string | undefined {
  const words = [...(r.not ? ['not'] : []), ...(r.unsaid ?? [])];
  if (r.action !== undefined && !RULE_ACTIONS.has(r.action) && !words.some((w) => w.split(' ')[0] === r.action)) words.push(r.action);
  if (words.length) return words.join(', ');
  if (r.action === undefined && r.tableId === undefined) return 'a lookup without a table';
  return undefined;
}

/** An observed rule as the document says it, or undefined when the model has no words for it (`not`, goto, nop, tos…). */
function ruleOf(r: ObservedRule): PolicyRule | undefined {
  if (kernelRule(r) || unsayable(r) !== undefined) return undefined;
  const out: PolicyRule = { priority: r.priority };
  if (!r.from && !r.to && r.family === 6) out.family = 6;
  if (r.from) out.from = r.from;
  if (r.to) out.to = r.to;
  if (r.iif) out.iif = r.iif;
  if (r.oif) out.oif = r.oif;
  if (r.fwmark !== undefined) out.fwmark = r.fwmark;
  if (r.fwmask !== undefined) out.fwmask = r.fwmask;
  if (r.action) out.action = r.action as PolicyRule['action'];
  else out.table = r.tableId!;
  return out;
}

/** Tables by the host's names where it has them; the names used are declared in the namespace's `tables`. */
function nameTables(n: Namespace, names: ReadonlyMap<string, number> | undefined): void {
  if (!names?.size) return;
  const byId = new Map<number, string>();
  for (const [name, id] of names) if (!byId.has(id)) byId.set(id, name);
  const used: Record<string, number> = {};
  const named = <T extends { table?: TableRef }>(x: T): T => {
    const name = typeof x.table === 'number' ? byId.get(x.table) : undefined;
    if (name === undefined) return x;
    used[name] = x.table as number;
    return { ...x, table: name };
  };
  n.routes = n.routes.map(named);
  if (n.rules) n.rules = n.rules.map(named);
  if (Object.keys(used).length) n.tables = Object.fromEntries(Object.entries(used).sort(([a], [b]) => (a < b ? -1 : 1)));
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
      // only the keys a document can hold (discover also reads others, e.g. bridge-nf-call-iptables for reachability)
      for (const [k, v] of Object.entries(ns.sysctls))
        if (v !== '0' && (SYSCTL_KEYS as readonly string[]).includes(k)) (sysctls as Record<string, string>)[k] = v;
    }
    const routes = ns.routes.map((r) => routeOf(r, linkNames, isHost)).filter((r): r is Route => !!r);
    // the host's own rules are its configuration, not the topology's: only those over its document links or into tables it routes
    const hostTables = new Set(routes.map((r) => (typeof r.table === 'number' ? r.table : 254)).filter((t) => t !== 254 && t !== 255));
    const rules = ns.rules
      .filter(
        (r) =>
          !isHost ||
          opts.hostRules === 'all' ||
          (r.iif !== undefined && linkNames.has(r.iif)) ||
          (r.oif !== undefined && linkNames.has(r.oif)) ||
          (r.tableId !== undefined && hostTables.has(r.tableId)),
      )
      .filter((r) => {
        const why = kernelRule(r) ? undefined : unsayable(r);
        if (why !== undefined) opts.onLeftOut?.(ns.name, r, why);
        return why === undefined;
      })
      .map(ruleOf)
      .filter((r): r is PolicyRule => !!r)
      .sort((a, b) => ruleFamily(a) - ruleFamily(b) || a.priority - b.priority);
    const n: Namespace = {
      name: ns.name,
      loopback: !lo || lo.up ? 'up' : 'down',
      sysctls,
      routes,
      nat: isHost ? [] : (opts.nat?.get(ns.name) ?? []),
      vrfs: links.filter((l) => l.kind === 'vrf').map((l) => ({ name: l.name, table: l.vrfTable ?? 0, up: l.up })),
    };
    if (rules.length) n.rules = rules;
    // every IPv6 address added with nodad: the document said `nodad: true` (a re-apply adds them the same way)
    const v6 = links.flatMap((l) => (docAddresses(l).length ? l.addresses.filter((a) => a.family === 6 && a.scope !== 'link') : []));
    if (v6.length && v6.every((a) => a.nodad)) n.nodad = true;
    nameTables(n, opts.tableNames);
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
  const keepHost = hostUsed || (hostNs && (hostNs.routes.length || hostNs.vrfs.length || hostNs.rules?.length));
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
