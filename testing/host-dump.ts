/**
 * Our own canonical dump of a sandboxed host, for tests: the same facts, in the
 * same canonical form, as the reference `hostdump` oracle the product was designed
 * against (namespaces, links and kinds, veth peers, masters, admin state, MTU,
 * aliases, VRF tables, addresses, static routes, policy rules, forwarding sysctls,
 * resolv.conf, iptables nat rules), leaving out what the kernel picks by itself
 * (ifindex, MAC, link-local addresses, kernel routes, counters, oper state).
 *
 * Namespaces are the sandbox's `host` plus every namespace carrying its prefix,
 * reported by their scenario names (prefix stripped) so two sandboxes compare equal.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { run } from './run';
import type { Sandbox } from './sandbox';

type Json = any;

async function ipJson(ns: string, args: string[]): Promise<Json[]> {
  const r = await run(['ip', '-n', ns, '-j', '-d', ...args]);
  if (r.code !== 0 || !r.stdout.trim()) return [];
  return JSON.parse(r.stdout);
}

async function inNs(ns: string, argv: string[]): Promise<string | null> {
  const r = await run(['ip', 'netns', 'exec', ns, ...argv]);
  return r.code === 0 ? r.stdout : null;
}

export interface NsDump {
  links: Record<string, Json>;
  addresses: string[];
  routes: string[];
  rules: string[];
  sysctl: Record<string, string | null>;
  resolv: string[] | null;
  nat: string[] | null;
}

export type HostDump = Record<string, NsDump>;

export async function hostDump(sb: Sandbox): Promise<HostDump> {
  const real = [
    sb.hostNs,
    ...readdirSync('/run/netns')
      .filter((n) => n.startsWith(sb.prefix) && n !== sb.hostNs)
      .sort(),
  ];
  const label = (realName: string) => (realName === sb.hostNs ? 'host' : realName.slice(sb.prefix.length));
  const allLinks: Record<string, Json[]> = {};
  await Promise.all(real.map(async (n) => (allLinks[n] = await ipJson(n, ['link', 'show']))));
  const out: HostDump = {};
  for (const n of real) out[label(n)] = await dumpNs(n, label, allLinks);
  // /etc/netns/NAME outlives `ip netns del`: a resolv.conf left behind for a namespace
  // that is gone is state too (a later namespace of that name would use it)
  for (const n of strayEtcNetns(sb.prefix, new Set(real))) {
    out[`${label(n)} (namespace gone)`] = { links: {}, addresses: [], routes: [], rules: [], sysctl: {}, resolv: readResolv(n), nat: null };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

async function dumpNs(ns: string, label: (n: string) => string, allLinks: Record<string, Json[]>): Promise<NsDump> {
  const ids = new Map<number, string>();
  for (const e of await ipJson(ns, ['netns', 'list-id'])) ids.set(e.nsid, e.name ?? 'outside');
  const links: Record<string, Json> = {};
  for (const l of allLinks[ns]) {
    const info = l.linkinfo ?? {};
    const kind = info.info_kind ?? l.link_type;
    const d: Json = { kind, up: (l.flags ?? []).includes('UP'), mtu: l.mtu };
    if (l.master) d.master = l.master;
    if (l.ifalias) d.alias = l.ifalias;
    if (kind === 'vrf') d.table = info.info_data?.table;
    if (kind === 'veth' && !('link_netnsid' in l) && typeof l.link === 'string') {
      d.peer = `${label(ns)}/${l.link}`; // both ends in this namespace: ip names the peer and omits its index
    } else if (kind === 'veth') {
      const peerNs = 'link_netnsid' in l ? (ids.get(l.link_netnsid) ?? `nsid:${l.link_netnsid}`) : ns;
      const peerIndex = l.link_index ?? l.ifindex; // the kernel omits IFLA_LINK when it equals ifindex
      const peer = (allLinks[peerNs] ?? []).find((p: Json) => p.ifindex === peerIndex);
      const peerLabel = allLinks[peerNs] ? label(peerNs) : peerNs;
      d.peer = peer ? `${peerLabel}/${peer.ifname}` : `${peerLabel}/#${peerIndex}`;
    }
    links[l.ifname] = d;
  }
  const addresses: string[] = [];
  for (const a of await ipJson(ns, ['addr', 'show'])) {
    for (const ai of a.addr_info ?? []) {
      if (ai.scope === 'link' && ai.family === 'inet6') continue;
      addresses.push(`${a.ifname} ${ai.local}/${ai.prefixlen}`);
    }
  }
  const routes: string[] = [];
  for (const fam of ['-4', '-6']) {
    for (const r of await ipJson(ns, [fam, 'route', 'show', 'table', 'all'])) {
      if (r.protocol === 'kernel' || r.table === 'local') continue;
      if (['multicast', 'local', 'broadcast', 'anycast'].includes(r.type)) continue;
      const dst: string = r.dst ?? '';
      if (dst.startsWith('ff00::') || dst.startsWith('fe80::')) continue;
      const parts = [fam, r.type ?? 'unicast', r.dst ?? '?'];
      for (const k of ['gateway', 'dev', 'table', 'metric', 'prefsrc']) if (k in r) parts.push(`${k}=${r[k]}`);
      if ((r.flags ?? []).includes('onlink')) parts.push('onlink');
      // a multipath route's paths: gateway, dev and weight each (onlink per path)
      for (const h of r.nexthops ?? [])
        parts.push(`nexthop=${h.gateway ?? ''},${h.dev ?? ''},${h.weight ?? 1}${(h.flags ?? []).includes('onlink') ? ',onlink' : ''}`);
      routes.push(parts.join(' '));
    }
  }
  const rules: string[] = [];
  for (const fam of ['-4', '-6']) {
    for (const r of await ipJson(ns, [fam, 'rule', 'show'])) {
      if (['local', 'main', 'default'].includes(r.table) && [0, 32766, 32767, 1000].includes(r.priority)) continue;
      // IPv4 rules as before; IPv6 ones marked (`from all lookup 100` reads the same in both families)
      rules.push(`${fam === '-6' ? '-6 ' : ''}${JSON.stringify(r, Object.keys(r).sort())}`);
    }
  }
  const sysctl: Record<string, string | null> = {};
  for (const key of ['net/ipv4/ip_forward', 'net/ipv6/conf/all/forwarding']) {
    const v = await inNs(ns, ['cat', `/proc/sys/${key}`]);
    sysctl[key.replaceAll('/', '.')] = v === null ? null : v.trim();
  }
  const lbl = label(ns);
  const resolv = lbl === 'host' ? null : readResolv(ns);
  const save = await inNs(ns, ['iptables-save', '-t', 'nat']);
  const nat = save
    ? save
        .split('\n')
        .filter((l) => l.startsWith('-A'))
        .map((l) => l.trim())
        .sort()
    : null;
  return { links: sortKeys(links), addresses: addresses.sort(), routes: routes.sort(), rules: rules.sort(), sysctl, resolv, nat };
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function readResolv(ns: string): string[] | null {
  const p = `/etc/netns/${ns}/resolv.conf`;
  return existsSync(p) ? resolvLines(readFileSync(p, 'utf8')) : null;
}

/** A resolv.conf as the dump holds it: trimmed lines, no blanks or comments, sorted. */
export function resolvLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .sort();
}

/** /etc/netns entries carrying the prefix whose namespace no longer exists. */
function strayEtcNetns(prefix: string, live: Set<string>): string[] {
  if (!existsSync('/etc/netns')) return [];
  return readdirSync('/etc/netns')
    .filter((d) => d.startsWith(prefix) && !live.has(d))
    .sort();
}
