/**
 * A second, test-only model of what the kernel does with each step operation,
 * written apart from shared/plan/simulate.ts (which the planner itself uses to
 * compute undo lists): the property test checks plans and their undo against
 * this one, so a wrong cascade in simulate.ts cannot hide behind itself.
 *
 * It shares only the data normalisers of shared/plan/state.ts (canonical
 * addresses, routes, rules, NAT rules), not the interpretation. The kernel
 * facts it holds, each from the kernel's behaviour rather than the planner's:
 * - a namespace's loopback starts down and without addresses; setting it up
 *   gives it 127.0.0.1/8, which setting it down keeps (`lo127`);
 * - deleting a namespace deletes everything in it (a veth end takes its peer
 *   along, wherever the peer is) except /etc/netns files;
 * - deleting a veth end deletes its peer; deleting a bridge or VRF frees its ports;
 * - a route leaves with a link it goes out of when that link is deleted, when
 *   set down if no next hop is left on a link that is up, and with the address
 *   that made its gateway reachable (the last IPv4 address of a link takes every
 *   IPv4 route out of it);
 * - attaching a name (`ip netns attach`, a bind mount) makes no namespace: it names
 *   one that a process holds, whose loopback its holder has set up; taking the name
 *   away (`ip netns del` of an attached name) leaves that namespace and all in it,
 *   so a veth into it keeps its other end; only this model loses sight of it;
 * - adding what exists, or deleting what does not, fails.
 */
import ipaddr from 'ipaddr.js';
import { HOST_NS, type Dns, type Forwarder, type NatRule, type PolicyRule, type Route } from '../shared/model/schema';
import type { Command, Step } from '../shared/model/step';
import type { StepOp } from '../shared/model/step-op';
import { ruleFamily } from '../shared/model/tables';
import {
  SYSCTL_DEFAULTS,
  canonicalCidr,
  canonicalDns,
  canonicalForwarder,
  canonicalNat,
  canonicalRoute,
  canonicalRule,
  routeIsV6,
  type State,
} from '../shared/plan/state';

interface Iface {
  kind: 'veth' | 'bridge' | 'vrf';
  up: boolean;
  /** `ns/name` of the other end */
  peer?: string;
  mtu?: number;
  master?: string;
  table?: number;
}

export interface Kernel {
  /** namespace → its loopback */
  netns: Map<string, { up: boolean; lo127: boolean }>;
  /** `ns/name` → interface */
  ifaces: Map<string, Iface>;
  /** `ns/dev/cidr` */
  addrs: Set<string>;
  /** `ns|table|to|metric` → route */
  routes: Map<string, { ns: string; route: Route }>;
  /** `ns|family|priority` → rule */
  rules: Map<string, { ns: string; rule: PolicyRule }>;
  /** `ns|key` → value other than the default */
  sysctls: Map<string, string>;
  /** `ns|rule as JSON` */
  nat: Set<string>;
  /** `ns|bridge` */
  accepts: Set<string>;
  /** files: outlive their namespace */
  resolv: Map<string, Dns>;
  forwarders: Map<string, Forwarder>;
}

export class KernelError extends Error {}
const refuse = (why: string): never => {
  throw new KernelError(why);
};

const at = (ns: string, name: string) => `${ns}/${name}`;
const nsOf = (key: string) => key.slice(0, key.indexOf('/'));
const nameOf = (key: string) => key.slice(key.indexOf('/') + 1);
const v6 = (a: string) => a.includes(':');

function routeId(ns: string, r: Route): string {
  const table = typeof r.table === 'number' ? r.table : r.type === 'local' ? 255 : 254;
  return [ns, table, r.to === 'default' && routeIsV6(r) ? '::/0' : r.to, r.metric ?? ''].join('|');
}
const ruleId = (ns: string, r: PolicyRule) => [ns, ruleFamily(r), r.priority].join('|');
const natId = (ns: string, r: NatRule) => `${ns}|${JSON.stringify(canonicalNat(r))}`;

/** The kernel holding a planner state; `bare` lists the named namespaces whose loopback has no 127.0.0.1/8. */
export function kernelOf(s: State, bare: readonly string[] = []): Kernel {
  const k: Kernel = {
    netns: new Map(),
    ifaces: new Map(),
    addrs: new Set(),
    routes: new Map(),
    rules: new Map(),
    sysctls: new Map(),
    nat: new Set(),
    accepts: new Set(),
    resolv: new Map(),
    forwarders: new Map(),
  };
  for (const [name, { loopback }] of s.namespaces) k.netns.set(name, { up: loopback === 'up', lo127: loopback === 'up' || !bare.includes(name) });
  for (const l of s.links.values()) {
    k.ifaces.set(at(l.ns, l.name), {
      kind: l.kind,
      up: l.up,
      ...(l.peer ? { peer: at(l.peer.ns, l.peer.name) } : {}),
      ...(l.mtu !== undefined ? { mtu: l.mtu } : {}),
      ...(l.master ? { master: l.master } : {}),
      ...(l.table !== undefined ? { table: l.table } : {}),
    });
  }
  for (const a of s.addresses.values()) k.addrs.add(`${a.ns}/${a.dev}/${canonicalCidr(a.cidr)}`);
  for (const r of s.routes.values()) k.routes.set(routeId(r.ns, r.route), { ns: r.ns, route: canonicalRoute(r.route) });
  for (const r of s.rules.values()) k.rules.set(ruleId(r.ns, r.rule), { ns: r.ns, rule: canonicalRule(r.rule) });
  for (const x of s.sysctls.values()) if (x.value !== SYSCTL_DEFAULTS[x.key]) k.sysctls.set(`${x.ns}|${x.key}`, x.value);
  for (const x of s.nat.values()) k.nat.add(natId(x.ns, x.rule));
  for (const x of s.accepts.values()) k.accepts.add(`${x.ns}|${x.bridge}`);
  for (const x of s.dns.values()) k.resolv.set(x.ns, canonicalDns(x.dns));
  for (const f of s.forwarders.values()) k.forwarders.set(f.name, canonicalForwarder(f));
  return k;
}

/** Everything the kernel holds, as plain sorted data for deepEqual; `lo127: false` leaves loopback addresses out (a document does not say them). */
export function snapshot(k: Kernel, opts: { lo127?: boolean } = {}): Record<string, unknown> {
  const sorted = <T>(e: Iterable<[string, T]>) => Object.fromEntries([...e].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  return {
    netns: sorted([...k.netns].map(([n, lo]) => [n, opts.lo127 === false ? { up: lo.up } : lo])),
    ifaces: sorted([...k.ifaces].map(([key, i]) => [key, plain({ ...i, mtu: i.kind === 'veth' && i.mtu === 1500 ? undefined : i.mtu })])),
    addrs: [...k.addrs].sort(),
    routes: sorted([...k.routes].map(([key, r]) => [key, plain(r)])),
    rules: sorted([...k.rules].map(([key, r]) => [key, plain(r)])),
    sysctls: sorted(k.sysctls),
    nat: [...k.nat].sort(),
    accepts: [...k.accepts].sort(),
    resolv: sorted([...k.resolv].map(([n, d]) => [n, plain(d)])),
    forwarders: sorted([...k.forwarders].map(([n, f]) => [n, plain(f)])),
  };
}

function inside(ip: string, cidr: string): boolean {
  try {
    const [net, len] = ipaddr.parseCIDR(cidr);
    const a = ipaddr.parse(ip);
    return a.kind() === net.kind() && a.match(net, len);
  } catch {
    return false;
  }
}

/** Addresses of `ns` as [dev, cidr]. */
function addrsIn(k: Kernel, ns: string): [string, string][] {
  const out: [string, string][] = [];
  for (const a of k.addrs) {
    const [n, dev, ...cidr] = a.split('/');
    if (n === ns) out.push([dev, cidr.join('/')]);
  }
  return out;
}

/** The link a gateway is reached by: a link of `ns` with a subnet holding it, those that are up first. */
function gatewayLink(k: Kernel, ns: string, via: string, dev?: string): string | undefined {
  const candidates = addrsIn(k, ns)
    .filter(([d, cidr]) => (!dev || d === dev) && inside(via, cidr))
    .map(([d]) => d);
  return candidates.find((d) => k.ifaces.get(at(ns, d))?.up) ?? candidates[0];
}

/** The links a route goes out of. */
function outLinks(k: Kernel, ns: string, r: Route): string[] {
  const hops = r.nexthops ?? [{ via: r.via, dev: r.dev }];
  return hops.flatMap((h) => {
    const d = h.dev ?? (h.via ? gatewayLink(k, ns, h.via) : undefined);
    return d ? [d] : [];
  });
}

function dropRoutes(k: Kernel, ns: string, leaves: (r: Route) => boolean): void {
  for (const [id, x] of [...k.routes]) if (x.ns === ns && leaves(x.route)) k.routes.delete(id);
}

function removeIface(k: Kernel, key: string): void {
  const i = k.ifaces.get(key);
  if (!i) return;
  const ns = nsOf(key),
    name = nameOf(key);
  // a route cannot keep a next hop on a device that is gone (multipath included: the whole route goes)
  dropRoutes(k, ns, (r) => outLinks(k, ns, r).includes(name));
  k.ifaces.delete(key);
  for (const a of [...k.addrs]) if (a.startsWith(`${key}/`)) k.addrs.delete(a);
  for (const [pk, p] of k.ifaces) if (nsOf(pk) === ns && p.master === name) delete p.master;
  if (i.peer) removeIface(k, i.peer);
}

function needIface(k: Kernel, ns: string, name: string): Iface {
  return k.ifaces.get(at(ns, name)) ?? refuse(`Cannot find device "${name}"`);
}

function checkGateway(k: Kernel, ns: string, r: Route): void {
  if (r.type === 'local') return void (r.dev === 'lo' || needIface(k, ns, r.dev ?? ''));
  if (r.type && r.type !== 'unicast') return;
  for (const h of r.nexthops ?? [{ via: r.via, dev: r.dev, onlink: r.onlink }]) {
    if (h.dev !== undefined && !needIface(k, ns, h.dev).up) refuse('Network is down');
    if (h.via === undefined) {
      if (h.dev === undefined) refuse('no next hop');
      continue;
    }
    if (h.onlink) {
      if (h.dev === undefined) refuse('onlink needs a device');
      continue;
    }
    const d = gatewayLink(k, ns, h.via, h.dev);
    if (!d || !k.ifaces.get(at(ns, d))?.up) refuse('Nexthop has invalid gateway');
  }
}

/** Run one command on the kernel; throws KernelError when the kernel would refuse it. */
export function run(k: Kernel, c: Command): void {
  if (!k.netns.has(c.namespace)) refuse(`no namespace ${c.namespace}`);
  const op: StepOp = c.op;
  const ns = c.namespace;
  switch (op.op) {
    case 'netns.add':
      if (k.netns.has(op.name)) refuse('File exists');
      k.netns.set(op.name, { up: false, lo127: false });
      return;
    case 'netns.del': {
      if (op.name === HOST_NS || !k.netns.has(op.name)) refuse('No such namespace');
      for (const key of [...k.ifaces.keys()]) if (nsOf(key) === op.name) removeIface(k, key);
      const mine = (id: string) => id.startsWith(`${op.name}|`);
      for (const id of [...k.routes.keys()]) if (mine(id)) k.routes.delete(id);
      for (const id of [...k.rules.keys()]) if (mine(id)) k.rules.delete(id);
      for (const id of [...k.sysctls.keys()]) if (mine(id)) k.sysctls.delete(id);
      for (const id of [...k.nat]) if (mine(id)) k.nat.delete(id);
      for (const id of [...k.accepts]) if (mine(id)) k.accepts.delete(id);
      k.netns.delete(op.name);
      return;
    }
    case 'netns.attach':
      if (op.name === HOST_NS || k.netns.has(op.name)) refuse('File exists');
      k.netns.set(op.name, { up: true, lo127: true });
      return;
    case 'netns.detach': {
      if (op.name === HOST_NS || !k.netns.has(op.name)) refuse('No such namespace');
      // out of sight, not gone: nothing in it is deleted, so no peer goes with it
      for (const key of [...k.ifaces.keys()]) if (nsOf(key) === op.name) k.ifaces.delete(key);
      for (const a of [...k.addrs]) if (nsOf(a) === op.name) k.addrs.delete(a);
      const mine = (id: string) => id.startsWith(`${op.name}|`);
      for (const id of [...k.routes.keys()]) if (mine(id)) k.routes.delete(id);
      for (const id of [...k.rules.keys()]) if (mine(id)) k.rules.delete(id);
      for (const id of [...k.sysctls.keys()]) if (mine(id)) k.sysctls.delete(id);
      for (const id of [...k.nat]) if (mine(id)) k.nat.delete(id);
      for (const id of [...k.accepts]) if (mine(id)) k.accepts.delete(id);
      k.netns.delete(op.name);
      return;
    }
    case 'link.veth': {
      const a = at(ns, op.name),
        b = at(op.peer.ns, op.peer.name);
      if (!k.netns.has(op.peer.ns)) refuse('Invalid "netns" value');
      if (k.ifaces.has(a) || k.ifaces.has(b) || a === b || op.name === 'lo' || op.peer.name === 'lo') refuse('File exists');
      k.ifaces.set(a, { kind: 'veth', up: false, peer: b });
      k.ifaces.set(b, { kind: 'veth', up: false, peer: a });
      return;
    }
    case 'link.bridge':
    case 'link.vrf':
      if (k.ifaces.has(at(ns, op.name)) || op.name === 'lo') refuse('File exists');
      k.ifaces.set(at(ns, op.name), op.op === 'link.vrf' ? { kind: 'vrf', up: false, table: op.table } : { kind: 'bridge', up: false });
      return;
    case 'link.del':
      needIface(k, ns, op.name);
      return removeIface(k, at(ns, op.name));
    case 'link.state': {
      if (op.name === 'lo') {
        const lo = k.netns.get(ns)!;
        k.netns.set(ns, { up: op.up, lo127: lo.lo127 || op.up });
        return;
      }
      const i = needIface(k, ns, op.name);
      // a route goes when no next hop of it is left on a link that is up
      if (!op.up)
        dropRoutes(k, ns, (r) => outLinks(k, ns, r).includes(op.name) && outLinks(k, ns, r).every((d) => d === op.name || !k.ifaces.get(at(ns, d))?.up));
      i.up = op.up;
      return;
    }
    case 'link.mtu':
      needIface(k, ns, op.name).mtu = op.mtu;
      return;
    case 'link.master': {
      const i = needIface(k, ns, op.name);
      if (op.master === undefined) return void delete i.master;
      const m = needIface(k, ns, op.master);
      if (m.kind === 'veth' || op.master === op.name) refuse('not a master');
      if (m.kind === 'bridge' && i.kind !== 'veth') refuse('only veths are bridge ports here');
      i.master = op.master;
      return;
    }
    case 'addr.add':
    case 'addr.del': {
      const cidr = canonicalCidr(op.cidr);
      const key = `${ns}/${op.dev}/${cidr}`;
      if (op.dev === 'lo' && cidr === '127.0.0.1/8') {
        const lo = k.netns.get(ns)!;
        if (lo.lo127 === (op.op === 'addr.add')) refuse(op.op === 'addr.add' ? 'File exists' : 'Cannot assign requested address');
        lo.lo127 = op.op === 'addr.add';
        return;
      }
      if (op.dev !== 'lo') needIface(k, ns, op.dev);
      if (op.op === 'addr.add') {
        if (k.addrs.has(key)) refuse('File exists');
        k.addrs.add(key);
        return;
      }
      if (!k.addrs.has(key)) refuse('Cannot assign requested address');
      const rest = addrsIn(k, ns)
        .filter(([d, c]) => d === op.dev && c !== cidr && v6(c) === v6(cidr))
        .map(([, c]) => c);
      dropRoutes(k, ns, (r) => {
        if (!outLinks(k, ns, r).includes(op.dev)) return false;
        if (r.via && inside(r.via, cidr) && !rest.some((c) => inside(r.via!, c))) return true;
        return !v6(cidr) && !routeIsV6(r) && rest.length === 0;
      });
      k.addrs.delete(key);
      return;
    }
    case 'route.add':
    case 'route.replace':
    case 'route.del': {
      const route = canonicalRoute(op.route);
      const id = routeId(ns, route);
      const have = k.routes.get(id);
      if (op.op === 'route.del') {
        if (!have || JSON.stringify(have.route) !== JSON.stringify(route)) refuse('No such process');
        k.routes.delete(id);
        return;
      }
      if (have && op.op === 'route.add') refuse('File exists');
      checkGateway(k, ns, route);
      k.routes.set(id, { ns, route });
      return;
    }
    case 'rule.add':
    case 'rule.del': {
      const rule = canonicalRule(op.rule);
      const id = ruleId(ns, rule);
      const have = k.rules.get(id);
      if (op.op === 'rule.add') {
        if (have) refuse('File exists');
        k.rules.set(id, { ns, rule });
      } else {
        if (!have || JSON.stringify(have.rule) !== JSON.stringify(rule)) refuse('No such file or directory');
        k.rules.delete(id);
      }
      return;
    }
    case 'sysctl.set': {
      const key = op.key as keyof typeof SYSCTL_DEFAULTS;
      if (!(key in SYSCTL_DEFAULTS)) refuse(`unknown sysctl ${op.key}`);
      const value = op.value.trim().split(/\s+/).join(' ');
      if (value === SYSCTL_DEFAULTS[key]) k.sysctls.delete(`${ns}|${key}`);
      else k.sysctls.set(`${ns}|${key}`, value);
      return;
    }
    case 'nat.append':
      if (k.nat.has(natId(ns, op.rule))) refuse('a duplicate rule');
      k.nat.add(natId(ns, op.rule));
      return;
    case 'nat.delete':
      if (!k.nat.delete(natId(ns, op.rule))) refuse('Bad rule');
      return;
    case 'accept.insert':
      if (k.accepts.has(`${ns}|${op.bridge}`)) refuse('a duplicate rule');
      k.accepts.add(`${ns}|${op.bridge}`);
      return;
    case 'accept.delete':
      if (!k.accepts.delete(`${ns}|${op.bridge}`)) refuse('Bad rule');
      return;
    case 'dns.write':
      if (ns === HOST_NS) refuse('the host has no /etc/netns file');
      k.resolv.set(ns, canonicalDns(op.dns));
      return;
    case 'dns.remove':
      k.resolv.delete(ns);
      return;
    case 'forwarder.start':
      if (k.forwarders.has(op.forwarder.name)) refuse('already running');
      k.forwarders.set(op.forwarder.name, canonicalForwarder(op.forwarder));
      return;
    case 'forwarder.stop':
      if (!k.forwarders.delete(op.name)) refuse('not running');
      return;
    default:
      refuse(`${op.op} is a check`);
  }
}

/** The steps run in order; throws KernelError with the step that the kernel refuses. */
export function runSteps(k: Kernel, steps: readonly Step[]): Kernel {
  steps.forEach((s, i) => {
    try {
      run(k, s);
    } catch (e) {
      throw new KernelError(`step ${i + 1} (${s.namespace}: ${s.argv.join(' ')}): ${(e as Error).message}`);
    }
  });
  return k;
}

/** Every step's undo, last step first. */
export function runUndo(k: Kernel, steps: readonly Step[]): Kernel {
  for (let i = steps.length - 1; i >= 0; i--) {
    for (const u of steps[i].undo) {
      try {
        run(k, u);
      } catch (e) {
        throw new KernelError(`undo of step ${i + 1} (${u.namespace}: ${u.argv.join(' ')}): ${(e as Error).message}`);
      }
    }
  }
  return k;
}
