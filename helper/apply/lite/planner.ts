/**
 * A compact planner over ./discover.ts facts: the steps (with undo and reason)
 * that build what the document says and the host lacks, in dependency order:
 * namespaces, loopback, sysctls, VRFs, bridges, veths, masters, addresses, links
 * up, routes, nat, resolv.conf. It never deletes anything (objects missing from
 * the document are left alone). Stand-in until shared/plan is wired into the
 * engine (./engine.ts).
 */
import { HOST_NS, type NatRule, type Route, type Topology } from '../../../shared/model/schema';
import { objectKey } from '../../../shared/model/ids';
import type { Command, Step } from '../../../shared/model/step';
import { tableId, type LiteNamespace, type LiteObserved, type LiteRoute } from './discover';
import { inSubnet, parseCidr, parseIp } from '../../../shared/validate/ip';

const SYSCTL_DEFAULTS: Record<string, string> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv6.conf.all.forwarding': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.ping_group_range': '1 0',
};

const none = (): LiteNamespace => ({ exists: false, links: {}, addresses: [], routes: [], sysctls: {}, nat: [] });
const cmd = (namespace: string, ...argv: string[]): Command => ({ namespace, argv });

function normAddr(cidr: string): string {
  return cidr.toLowerCase();
}

function routeDst(to: string): string {
  if (to === 'default') return 'default';
  return to.replace(/\/32$/, to.includes(':') ? '/32' : '').replace(/\/128$/, '');
}

function routeArgs(r: Route): string[] {
  const type = r.type && r.type !== 'unicast' ? [r.type] : [];
  return [
    ...type, r.to,
    ...(r.via ? ['via', r.via] : []),
    ...(r.dev ? ['dev', r.dev] : []),
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
    ...(r.table !== undefined ? ['table', String(r.table)] : []),
    ...(r.src ? ['src', r.src] : []),
  ];
}

function routeFamily(r: Route): 4 | 6 {
  return r.to.includes(':') || r.via?.includes(':') || r.src?.includes(':') ? 6 : 4;
}

function routePresent(r: Route, have: LiteRoute[]): boolean {
  const fam = routeFamily(r);
  return have.some((h) =>
    h.family === fam && h.type === (r.type ?? 'unicast') && h.dst === routeDst(r.to) && h.via === r.via && h.table === tableId(r.table) &&
    (r.dev === undefined || h.dev === r.dev) && (r.metric === undefined || h.metric === r.metric));
}

/** iptables arguments after `-t nat -A|-D`, and the line `iptables -S` prints for it. */
export function natArgs(n: NatRule): { chain: string; args: string[]; line: string } {
  const chain = n.action === 'dnat' ? 'PREROUTING' : 'POSTROUTING';
  const args = [
    ...(n.source ? ['-s', n.source] : []),
    ...(n.destination ? ['-d', n.destination] : []),
    ...(n.inInterface ? ['-i', n.inInterface] : []),
    ...(n.outInterface ? ['-o', n.outInterface] : []),
    ...(n.protocol ? ['-p', n.protocol] : []),
    ...(n.port !== undefined ? ['--dport', String(n.port)] : []),
    '-j', n.action === 'masquerade' ? 'MASQUERADE' : n.action === 'snat' ? 'SNAT' : 'DNAT',
    ...(n.toAddress ? [n.action === 'snat' ? '--to-source' : '--to-destination', n.toAddress] : []),
  ];
  const shown = args.flatMap((a) => (a === '--dport' && n.protocol ? ['-m', n.protocol, a] : [a]));
  const line = ['-A', chain, ...shown.map((a, i) => (shown[i - 1] === '-s' || shown[i - 1] === '-d') && !a.includes('/') ? `${a}/32` : a)].join(' ');
  return { chain, args, line };
}

function resolvContent(ns: Topology['namespaces'][number]): string | undefined {
  if (!ns.dns) return undefined;
  return [...ns.dns.nameservers.map((s) => `nameserver ${s}`), ...(ns.dns.search?.length ? [`search ${ns.dns.search.join(' ')}`] : [])].join('\n') + '\n';
}

export function litePlan(doc: Topology, observed: LiteObserved): Step[] {
  const steps: Step[] = [];
  const obs = (ns: string) => observed[ns] ?? (ns === HOST_NS ? { ...none(), exists: true } : none());
  const ip = (namespace: string, args: string[], undoArgs: string[] | undefined, reason: string, object: string, action: Step['action']) =>
    steps.push({ namespace, argv: ['ip', ...args], undo: undoArgs ? [cmd(namespace, 'ip', ...undoArgs)] : [], reason, object, action });
  const namespaces = doc.namespaces;

  // 1. namespaces
  for (const n of namespaces) {
    if (n.name === HOST_NS || obs(n.name).exists) continue;
    steps.push({ namespace: HOST_NS, argv: ['ip', 'netns', 'add', n.name], undo: [cmd(HOST_NS, 'ip', 'netns', 'del', n.name)], reason: `namespace ${n.name} is in the document but not on the host`, object: objectKey.namespace(n.name), action: 'create' });
  }
  // 2. loopback and 3. sysctls
  for (const n of namespaces) {
    const o = obs(n.name);
    const loUp = o.links.lo?.up ?? false;
    if ((n.loopback === 'up') !== loUp) {
      const want = n.loopback;
      const undo = [cmd(n.name, 'ip', 'link', 'set', 'dev', 'lo', want === 'up' ? 'down' : 'up')];
      // the first `up` gives lo 127.0.0.1/8, which `down` keeps: take it away again to restore exactly
      if (want === 'up' && !o.addresses.includes('lo 127.0.0.1/8')) undo.push(cmd(n.name, 'ip', 'address', 'del', '127.0.0.1/8', 'dev', 'lo'));
      steps.push({ namespace: n.name, argv: ['ip', 'link', 'set', 'dev', 'lo', want], undo, reason: `loopback of ${n.name} should be ${want}`, object: objectKey.loopback(n.name), action: 'change' });
    }
    for (const [key, value] of Object.entries(n.sysctls)) {
      if (value === undefined) continue;
      const have = o.sysctls[key] ?? (o.exists ? undefined : SYSCTL_DEFAULTS[key]);
      const want = value.trim().replace(/\s+/g, ' ');
      if (have === want) continue;
      steps.push({ namespace: n.name, argv: ['sysctl', '-w', `${key}=${want}`], undo: [cmd(n.name, 'sysctl', '-w', `${key}=${have ?? SYSCTL_DEFAULTS[key]}`)], reason: `${key} should be ${want} in ${n.name} (is ${have ?? 'unknown'})`, object: objectKey.sysctl(n.name, key), action: 'change' });
    }
  }
  // 4. VRFs
  for (const n of namespaces) {
    for (const v of n.vrfs) {
      if (obs(n.name).links[v.name]) continue;
      ip(n.name, ['link', 'add', 'name', v.name, 'type', 'vrf', 'table', String(v.table)], ['link', 'del', 'dev', v.name], `VRF ${v.name} (table ${v.table}) is missing in ${n.name}`, objectKey.link(n.name, v.name), 'create');
    }
  }
  // 5. bridges, 6. veths
  const ports: { ns: string; name: string; mtu?: number; master?: string; addresses: string[]; up: boolean }[] = [];
  for (const b of doc.bridges) {
    if (!obs(b.namespace).links[b.name]) ip(b.namespace, ['link', 'add', 'name', b.name, 'type', 'bridge'], ['link', 'del', 'dev', b.name], `bridge ${b.name} is missing in ${b.namespace}`, objectKey.link(b.namespace, b.name), 'create');
    ports.push({ ns: b.namespace, name: b.name, mtu: b.mtu, master: b.master, addresses: b.addresses, up: b.up });
  }
  for (const v of doc.veths) {
    let [a, b] = v.ends;
    if (b.namespace === HOST_NS && a.namespace !== HOST_NS) [a, b] = [b, a];
    const haveA = obs(a.namespace).links[a.name];
    const haveB = obs(b.namespace).links[b.name];
    if (!haveA && !haveB) {
      const peerNs = b.namespace === a.namespace ? [] : ['netns', b.namespace];
      ip(a.namespace, ['link', 'add', 'name', a.name, 'type', 'veth', 'peer', 'name', b.name, ...peerNs], ['link', 'del', 'dev', a.name], `veth pair ${a.namespace}/${a.name} <-> ${b.namespace}/${b.name} is missing`, objectKey.link(a.namespace, a.name), 'create');
    }
    for (const e of v.ends) ports.push({ ns: e.namespace, name: e.name, mtu: e.mtu, master: e.master, addresses: e.addresses, up: e.up });
  }
  for (const p of ports) {
    const have = obs(p.ns).links[p.name];
    const mtu = p.mtu ?? 1500;
    if ((have?.mtu ?? 1500) !== mtu) ip(p.ns, ['link', 'set', 'dev', p.name, 'mtu', String(mtu)], ['link', 'set', 'dev', p.name, 'mtu', String(have?.mtu ?? 1500)], `${p.name} should have MTU ${mtu}`, objectKey.link(p.ns, p.name), 'change');
    if (p.master && have?.master !== p.master) ip(p.ns, ['link', 'set', 'dev', p.name, 'master', p.master], ['link', 'set', 'dev', p.name, 'nomaster'], `${p.name} should be a port of ${p.master}`, objectKey.link(p.ns, p.name), 'change');
  }
  // 7. addresses
  for (const p of ports) {
    const have = obs(p.ns).addresses;
    for (const c of p.addresses) {
      if (have.includes(`${p.name} ${normAddr(c)}`)) continue;
      ip(p.ns, ['address', 'add', c, 'dev', p.name], ['address', 'del', c, 'dev', p.name], `address ${c} is missing on ${p.ns}/${p.name}`, objectKey.address(p.ns, p.name, c), 'create');
    }
  }
  // 8. links up (VRFs first: ports of a VRF need it up to route)
  for (const n of namespaces) {
    for (const v of n.vrfs) {
      if ((obs(n.name).links[v.name]?.up ?? false) !== v.up) ip(n.name, ['link', 'set', 'dev', v.name, v.up ? 'up' : 'down'], ['link', 'set', 'dev', v.name, v.up ? 'down' : 'up'], `VRF ${v.name} should be ${v.up ? 'up' : 'down'}`, objectKey.link(n.name, v.name), 'change');
    }
  }
  for (const p of ports) {
    if ((obs(p.ns).links[p.name]?.up ?? false) !== p.up) ip(p.ns, ['link', 'set', 'dev', p.name, p.up ? 'up' : 'down'], ['link', 'set', 'dev', p.name, p.up ? 'down' : 'up'], `${p.ns}/${p.name} should be ${p.up ? 'up' : 'down'}`, objectKey.link(p.ns, p.name), 'change');
  }
  // 9. routes, 10. nat, 11. dns
  for (const n of namespaces) {
    const o = obs(n.name);
    for (const r of n.routes) {
      if (routePresent(r, o.routes)) continue;
      const fam = routeFamily(r) === 6 && !r.to.includes(':') ? ['-6'] : [];
      ip(n.name, [...fam, 'route', 'add', ...routeArgs(r)], [...fam, 'route', 'del', ...routeArgs(r)], `route to ${r.to}${r.via ? ` via ${r.via}` : ''} is missing in ${n.name}`, objectKey.route(n.name, r.table, r.to, r.metric), 'create');
    }
    for (const rule of n.nat) {
      const { chain, args, line } = natArgs(rule);
      if (o.nat.includes(line)) continue;
      steps.push({ namespace: n.name, argv: ['iptables', '-t', 'nat', '-A', chain, ...args], undo: [cmd(n.name, 'iptables', '-t', 'nat', '-D', chain, ...args)], reason: `nat rule "${line}" is missing in ${n.name}`, object: objectKey.nat(n.name, line.slice(3)), action: 'create' });
    }
    const content = resolvContent(n);
    if (content !== undefined && n.name !== HOST_NS && o.resolv !== content) {
      const path = `/etc/netns/${n.name}/resolv.conf`;
      steps.push({ namespace: n.name, argv: ['write-file', path, content], undo: [o.resolv === undefined ? cmd(n.name, 'remove-file', path) : cmd(n.name, 'write-file', path, o.resolv)], reason: `resolv.conf of ${n.name} should name ${n.dns!.nameservers.join(', ')}`, object: objectKey.dns(n.name), action: o.resolv === undefined ? 'create' : 'change' });
    }
  }
  return steps;
}

/**
 * The host as it will be after `removals` (steps deleting objects we created),
 * and those steps with what the kernel removes along with them added to their
 * undo: deleting an address also deletes the routes whose gateway it made
 * reachable, so its undo puts them back too.
 */
export function afterRemovals(observed: LiteObserved, removals: Step[]): { observed: LiteObserved; removals: Step[] } {
  const next: LiteObserved = structuredClone(observed);
  const out = removals.map((s) => {
    const a = s.argv;
    const o = next[s.namespace];
    if (a[0] === 'ip' && a[1] === 'netns' && (a[2] === 'del' || a[2] === 'delete')) {
      next[a[3]] = none();
      return s;
    }
    if (!o) return s;
    if (a[0] === 'ip' && (a[1] === 'address' || a[1] === 'addr') && (a[2] === 'del' || a[2] === 'delete')) {
      const cidr = parseCidr(a[3]);
      const dev = a[a.indexOf('dev') + 1];
      o.addresses = o.addresses.filter((x) => x !== `${dev} ${normAddr(a[3])}`);
      if (!cidr) return s;
      const lost = o.routes.filter((r) => r.via && (() => { const ip = parseIp(r.via!); return !!ip && inSubnet(ip, cidr); })());
      o.routes = o.routes.filter((r) => !lost.includes(r));
      const restore = lost.map((r) => cmd(s.namespace, 'ip', ...(r.family === 6 && r.dst === 'default' ? ['-6'] : []), 'route', 'add', ...(r.type !== 'unicast' ? [r.type] : []), r.dst, 'via', r.via!, ...(r.dev ? ['dev', r.dev] : []), ...(r.metric !== undefined ? ['metric', String(r.metric)] : []), ...(r.table !== '254' ? ['table', r.table] : [])));
      return restore.length ? { ...s, undo: [...s.undo, ...restore] } : s;
    }
    if (a[0] === 'ip' && a[1] === 'link' && (a[2] === 'del' || a[2] === 'delete')) {
      const dev = a[3] === 'dev' ? a[4] : a[3];
      delete o.links[dev];
      o.addresses = o.addresses.filter((x) => !x.startsWith(`${dev} `));
    }
    return s;
  });
  return { observed: next, removals: out };
}
