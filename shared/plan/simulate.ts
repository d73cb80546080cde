/**
 * A small model of what the kernel does with the planner's commands, used to
 * prove plans right without a kernel (the property tests) and by the planner
 * itself to know what a deletion takes with it (so each step's undo restores
 * exactly that). It refuses what the kernel refuses (creating what exists,
 * deleting what does not, a route through a link that is down or a gateway on
 * no connected subnet) and models the side effects that matter:
 *
 * - deleting a namespace deletes its links, the far ends of its veths, their
 *   addresses and routes, its sysctls and NAT rules (not /etc/netns files);
 * - deleting a veth end deletes its peer; deleting a bridge or VRF frees its ports;
 * - deleting a link (or setting it down) drops the routes that go through it.
 *
 * It reads the typed operation of each command (shared/model/step-op.ts), never its argv.
 */
import ipaddr from 'ipaddr.js';
import { HOST_NS, SYSCTL_KEYS, type Route, type SysctlKey } from '../model/schema';
import { objectKey } from '../model/ids';
import type { Command, Step } from '../model/step';
import type { OpOf, StepOp } from '../model/step-op';
import {
  SYSCTL_DEFAULTS,
  canonicalCidr,
  isV6,
  routeIsV6,
  canonicalDns,
  canonicalForwarder,
  canonicalNat,
  canonicalRoute,
  canonicalRule,
  cloneState,
  fromTopology,
  natKey,
  routeKey,
  ruleKey,
  type LinkState,
  type State,
} from './state';
import type { Topology } from '../model/schema';
import { toTopology } from './to-topology';

export class SimError extends Error {
  constructor(
    public readonly command: Command,
    message: string,
  ) {
    super(`${command.namespace}: ${command.argv.join(' ')}: ${message}`);
  }
}

/** Applies one command to the state in place. Throws SimError where the kernel would refuse. */
export function applyCommand(s: State, cmd: Command): void {
  const fail = (m: string): never => {
    throw new SimError(cmd, m);
  };
  const ns = cmd.namespace;
  if (!s.namespaces.has(ns)) fail(`namespace ${ns} does not exist`);
  applyOp(s, ns, cmd.op, fail);
}

type Fail = (m: string) => never;

function applyOp(s: State, ns: string, op: StepOp, fail: Fail): void {
  switch (op.op) {
    case 'netns.add':
    case 'netns.del': {
      if (ns !== HOST_NS) fail('netns commands run in the host');
      const name = op.name;
      if (name === HOST_NS) fail('the host namespace is not a named namespace');
      if (op.op === 'netns.add') {
        if (s.namespaces.has(name)) fail(`Cannot create namespace file "/run/netns/${name}": File exists`);
        s.namespaces.set(name, { loopback: 'down' });
      } else {
        if (!s.namespaces.has(name)) fail(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`);
        deleteNamespace(s, name);
      }
      return;
    }
    case 'netns.attach':
    case 'netns.detach': {
      if (ns !== HOST_NS) fail('netns commands run in the host');
      if (op.name === HOST_NS) fail('the host namespace is not a named namespace');
      if (op.op === 'netns.attach') {
        if (s.namespaces.has(op.name)) fail(`Cannot create namespace file "/run/netns/${op.name}": File exists`);
        // an existing namespace, as this state knows it: nothing of ours in it yet (its loopback is its holder's)
        s.namespaces.set(op.name, { loopback: 'up' });
      } else {
        if (!s.namespaces.has(op.name)) fail(`Cannot remove namespace file "/run/netns/${op.name}": No such file or directory`);
        forgetNamespace(s, op.name);
      }
      return;
    }
    case 'link.veth': {
      if (isLink(s, ns, op.name)) fail('RTNETLINK answers: File exists');
      const peerNs = op.peer.ns,
        pName = op.peer.name;
      if (!s.namespaces.has(peerNs)) fail(`Invalid "netns" value "${peerNs}"`);
      if (isLink(s, peerNs, pName) || (peerNs === ns && pName === op.name)) fail('RTNETLINK answers: File exists');
      s.links.set(objectKey.link(ns, op.name), { ns, name: op.name, kind: 'veth', peer: { ns: peerNs, name: pName }, up: false });
      s.links.set(objectKey.link(peerNs, pName), { ns: peerNs, name: pName, kind: 'veth', peer: { ns, name: op.name }, up: false });
      return;
    }
    case 'link.bridge':
      if (isLink(s, ns, op.name)) fail('RTNETLINK answers: File exists');
      s.links.set(objectKey.link(ns, op.name), { ns, name: op.name, kind: 'bridge', up: false });
      return;
    case 'link.vrf':
      if (isLink(s, ns, op.name)) fail('RTNETLINK answers: File exists');
      s.links.set(objectKey.link(ns, op.name), { ns, name: op.name, kind: 'vrf', table: op.table, up: false });
      return;
    case 'link.del':
    case 'link.state':
    case 'link.mtu':
    case 'link.master':
      return linkSet(s, ns, op, fail);
    case 'addr.add':
    case 'addr.del': {
      const cidr = canonicalCidr(op.cidr);
      const dev = op.dev;
      if (!isLink(s, ns, dev)) fail(`Cannot find device "${dev}"`);
      const k = objectKey.address(ns, dev, cidr);
      if (op.op === 'addr.add') {
        if (s.addresses.has(k)) fail('RTNETLINK answers: File exists');
        s.addresses.set(k, { ns, dev, cidr });
        return;
      }
      if (!s.addresses.has(k)) fail('RTNETLINK answers: Cannot assign requested address');
      // routes whose gateway only this address made reachable go with it, and with
      // the last IPv4 address of a link go all the IPv4 routes through it
      const doomed = [...s.routes]
        .filter(([, r]) => r.ns === ns && routeDevice(s, ns, r.route) === dev)
        .filter(([, r]) => {
          const others = [...s.addresses.values()].filter((a) => a.ns === ns && a.dev === dev && a.cidr !== cidr && isV6(a.cidr) === isV6(cidr));
          if (r.route.via && inSubnet(r.route.via, cidr) && !others.some((a) => inSubnet(r.route.via!, a.cidr))) return true;
          return !isV6(cidr) && !routeIsV6(r.route) && others.length === 0;
        });
      for (const [rk] of doomed) s.routes.delete(rk);
      s.addresses.delete(k);
      return;
    }
    case 'route.add':
    case 'route.del':
    case 'route.replace': {
      const route = canonicalRoute(op.route);
      if (!route.to) fail('route without destination');
      const k = routeKey(ns, route);
      const have = s.routes.get(k);
      if (op.op === 'route.del') {
        if (!have || JSON.stringify(have.route) !== JSON.stringify(route)) fail('RTNETLINK answers: No such process');
        s.routes.delete(k);
        return;
      }
      if (op.op === 'route.add' && have) fail('RTNETLINK answers: File exists');
      checkRoutable(s, ns, route, fail);
      s.routes.set(k, { ns, route });
      return;
    }
    case 'rule.add':
    case 'rule.del': {
      const rule = canonicalRule(op.rule);
      const k = ruleKey(ns, rule);
      const have = s.rules.get(k);
      if (op.op === 'rule.add') {
        // the kernel takes two rules at one priority; the planner never asks for that (keys are family + priority)
        if (have) fail('RTNETLINK answers: File exists');
        s.rules.set(k, { ns, rule });
      } else {
        if (!have || JSON.stringify(have.rule) !== JSON.stringify(rule)) fail('RTNETLINK answers: No such file or directory');
        s.rules.delete(k);
      }
      return;
    }
    case 'sysctl.set': {
      const key = op.key as SysctlKey;
      if (!(SYSCTL_KEYS as readonly string[]).includes(key)) fail(`unknown sysctl ${key}`);
      const value = op.value.trim().replace(/\s+/g, ' ');
      const k = objectKey.sysctl(ns, key);
      if (value === SYSCTL_DEFAULTS[key]) s.sysctls.delete(k);
      else s.sysctls.set(k, { ns, key, value });
      return;
    }
    case 'nat.append':
    case 'nat.delete': {
      const rule = canonicalNat(op.rule);
      const k = natKey(ns, rule);
      if (op.op === 'nat.append') {
        // iptables appends duplicates happily; the planner must never ask for one
        if (s.nat.has(k)) fail('rule already present (would be duplicated)');
        s.nat.set(k, { ns, rule });
      } else if (!s.nat.delete(k)) fail('Bad rule (does a matching rule exist in that chain?)');
      return;
    }
    case 'accept.insert':
    case 'accept.delete': {
      const k = objectKey.accept(ns, op.bridge);
      if (op.op === 'accept.insert') {
        if (s.accepts.has(k)) fail('rule already present (would be duplicated)');
        s.accepts.set(k, { ns, bridge: op.bridge });
      } else if (!s.accepts.delete(k)) fail('Bad rule (does a matching rule exist in that chain?)');
      return;
    }
    case 'dns.write':
      if (ns === HOST_NS || op.ns !== ns) fail('only /etc/netns/NS/resolv.conf');
      s.dns.set(objectKey.dns(ns), { ns, dns: canonicalDns(op.dns) });
      return;
    case 'dns.remove':
      if (op.ns !== ns) fail('only /etc/netns/NS/resolv.conf');
      s.dns.delete(objectKey.dns(ns));
      return;
    case 'forwarder.start': {
      const f = canonicalForwarder(op.forwarder);
      const k = objectKey.forwarder(f.name);
      if (s.forwarders.has(k)) fail(`forwarder ${f.name} already running`);
      s.forwarders.set(k, f);
      return;
    }
    case 'forwarder.stop':
      if (!s.forwarders.delete(objectKey.forwarder(op.name))) fail(`forwarder ${op.name} is not running`);
      return;
    default:
      fail(`${op.op} is a check: it changes nothing`);
  }
}

function linkSet(s: State, ns: string, op: OpOf<'link.del' | 'link.state' | 'link.mtu' | 'link.master'>, fail: Fail): void {
  const name = op.name;
  const k = objectKey.link(ns, name);
  const l = s.links.get(k);
  if (!l && !(name === 'lo' && op.op !== 'link.del')) fail(`Cannot find device "${name}"`);
  if (op.op === 'link.del') {
    deleteLink(s, l!);
    return;
  }
  if (name === 'lo') {
    if (op.op !== 'link.state') fail('only lo up/down');
    s.namespaces.set(ns, { loopback: op.up ? 'up' : 'down' });
    return;
  }
  let next: LinkState = { ...l! };
  if (op.op === 'link.state') {
    next.up = op.up;
    if (!op.up) dropRoutesVia(s, ns, name, 'down');
  } else if (op.op === 'link.mtu') {
    next = { ...next, mtu: op.mtu };
  } else if (op.master !== undefined) {
    const m = op.master;
    const ml = s.links.get(objectKey.link(ns, m));
    if (!ml || (ml.kind !== 'bridge' && ml.kind !== 'vrf')) fail(`master ${m} is not a bridge or VRF here`);
    if (ml!.kind === 'bridge' && next.kind !== 'veth') fail('only veths join bridges here');
    if (m === name) fail('a link cannot be its own master');
    next = { ...next, master: m };
  } else {
    const { master: _m, ...without } = next;
    void _m;
    next = without;
  }
  s.links.set(k, next);
}

function isLink(s: State, ns: string, name: string): boolean {
  return name === 'lo' || s.links.has(objectKey.link(ns, name));
}

function deleteLink(s: State, l: LinkState): void {
  const gone = [l];
  if (l.kind === 'veth' && l.peer) {
    const p = s.links.get(objectKey.link(l.peer.ns, l.peer.name));
    if (p) gone.push(p);
  }
  for (const g of gone) {
    dropRoutesVia(s, g.ns, g.name, 'delete'); // first: a route's link is found through the addresses
    s.links.delete(objectKey.link(g.ns, g.name));
    for (const [k, a] of s.addresses) if (a.ns === g.ns && a.dev === g.name) s.addresses.delete(k);
    // a bridge's or VRF's ports are set free
    for (const [k, port] of s.links) {
      if (port.ns === g.ns && port.master === g.name) {
        const { master: _m, ...free } = port;
        void _m;
        s.links.set(k, free);
      }
    }
  }
}

function deleteNamespace(s: State, name: string): void {
  for (const l of [...s.links.values()]) if (l.ns === name && s.links.has(objectKey.link(l.ns, l.name))) deleteLink(s, l);
  for (const [k, r] of s.routes) if (r.ns === name) s.routes.delete(k);
  for (const [k, r] of s.rules) if (r.ns === name) s.rules.delete(k);
  for (const [k, x] of s.sysctls) if (x.ns === name) s.sysctls.delete(k);
  for (const [k, x] of s.nat) if (x.ns === name) s.nat.delete(k);
  for (const [k, x] of s.accepts) if (x.ns === name) s.accepts.delete(k);
  // /etc/netns/NAME/resolv.conf is a file: it outlives the namespace
  s.namespaces.delete(name);
}

/**
 * A detached name: the namespace lives on with its holders and keeps what is in
 * it (a veth into it keeps its other end), but nothing here can reach it by name.
 */
function forgetNamespace(s: State, name: string): void {
  for (const [k, l] of s.links) if (l.ns === name) s.links.delete(k);
  for (const [k, a] of s.addresses) if (a.ns === name) s.addresses.delete(k);
  for (const [k, r] of s.routes) if (r.ns === name) s.routes.delete(k);
  for (const [k, r] of s.rules) if (r.ns === name) s.rules.delete(k);
  for (const [k, x] of s.sysctls) if (x.ns === name) s.sysctls.delete(k);
  for (const [k, x] of s.nat) if (x.ns === name) s.nat.delete(k);
  for (const [k, x] of s.accepts) if (x.ns === name) s.accepts.delete(k);
  s.namespaces.delete(name);
}

/** The link a route goes out of: its `dev`, or the link whose subnet holds its gateway. */
export function routeDevice(s: State, ns: string, r: Route): string | undefined {
  if (r.dev) return r.dev;
  // a multipath route's first link stands for it here (what a link takes with it: dropRoutesVia)
  if (r.nexthops) return r.nexthops.map((h) => routeDevice(s, ns, { to: r.to, ...h })).find((d) => d !== undefined);
  if (!r.via) return undefined;
  // the kernel finds the gateway through a connected route, which only links that are up have
  let down: string | undefined;
  for (const a of s.addresses.values()) {
    if (a.ns !== ns || !inSubnet(r.via, a.cidr)) continue;
    if (s.links.get(objectKey.link(ns, a.dev))?.up) return a.dev;
    down ??= a.dev;
  }
  return down;
}

/**
 * What a link going away (`delete`) or down does to the routes through it. A
 * single-path route goes with its link. A multipath route (checked on the kernel:
 * helper/apply/multipath.test.ts):
 *  - link down: its nexthop there is dead, the route stays while another lives (both families);
 *  - link deleted: IPv4 drops the whole route; IPv6 holds the nexthops as sibling
 *    routes, so only those over the link go, and a last one left is a plain route.
 */
function dropRoutesVia(s: State, ns: string, dev: string, how: 'delete' | 'down'): void {
  for (const [k, r] of s.routes) {
    if (r.ns !== ns) continue;
    const hops = r.route.nexthops;
    if (!hops) {
      if (routeDevice(s, ns, r.route) === dev) s.routes.delete(k);
      continue;
    }
    const devs = hops.map((h) => routeDevice(s, ns, { to: r.route.to, ...h }));
    if (!devs.includes(dev)) continue;
    if (how === 'down') {
      if (devs.every((d) => d === dev || !s.links.get(objectKey.link(ns, d ?? ''))?.up)) s.routes.delete(k);
      continue;
    }
    const left = hops.filter((_, i) => devs[i] !== dev);
    if (!routeIsV6(r.route) || left.length === 0) {
      s.routes.delete(k);
      continue;
    }
    const { nexthops: _n, ...plain } = r.route;
    void _n;
    const { weight: _w, ...last } = left[0];
    void _w;
    s.routes.set(k, { ns, route: canonicalRoute(left.length === 1 ? { ...plain, ...last } : { ...plain, nexthops: left }) });
  }
}

function inSubnet(ip: string, cidr: string): boolean {
  try {
    const addr = ipaddr.parse(ip);
    const [net, len] = ipaddr.parseCIDR(cidr);
    return addr.kind() === net.kind() && addr.match(net, len);
  } catch {
    return false;
  }
}

function checkRoutable(s: State, ns: string, r: Route, fail: Fail): void {
  if (r.type === 'local') {
    if (!r.dev || !isLink(s, ns, r.dev)) fail(`Cannot find device "${r.dev}"`);
    return;
  }
  if (r.type && r.type !== 'unicast') return;
  if (r.nexthops) {
    for (const h of r.nexthops)
      checkRoutable(s, ns, { to: r.to, ...(h.via ? { via: h.via } : {}), ...(h.dev ? { dev: h.dev } : {}), ...(h.onlink ? { onlink: true } : {}) }, fail);
    return;
  }
  if (r.dev) {
    const l = s.links.get(objectKey.link(ns, r.dev));
    if (!l) fail(`Cannot find device "${r.dev}"`);
    if (!l!.up) fail('RTNETLINK answers: Network is down');
  }
  if (r.via && r.onlink) {
    if (!r.dev) fail('Error: Nexthop device required for onlink');
  } else if (r.via) {
    const dev = routeDevice(s, ns, r);
    const onSubnet = [...s.addresses.values()].some((a) => a.ns === ns && (!r.dev || a.dev === r.dev) && inSubnet(r.via!, a.cidr));
    if (!onSubnet || !dev) fail('RTNETLINK answers: Nexthop has invalid gateway');
    const l = s.links.get(objectKey.link(ns, dev!));
    if (!l?.up) fail('RTNETLINK answers: Nexthop has invalid gateway (link down)');
  }
  if (!r.dev && !r.via) fail('a unicast route needs dev or via');
}

/** Applies commands in order to a copy of the state. */
export function applyCommands(s: State, commands: readonly Command[]): State {
  const out = cloneState(s);
  for (const c of commands) applyCommand(out, c);
  return out;
}

/** What the host would look like after the steps (forward commands only). */
export function simulate(steps: readonly Step[], start: State): State {
  return applyCommands(start, steps);
}

/** Runs every step's undo, last step first: a correct plan ends where it started. */
export function simulateUndo(steps: readonly Step[], after: State): State {
  const out = cloneState(after);
  for (const step of [...steps].reverse()) for (const c of step.undo) applyCommand(out, c);
  return out;
}

/** Document in, document out: the host after `steps`, as the planner would observe it. */
export function simulateTopology(steps: readonly Step[], observed: Topology): Topology {
  return toTopology(simulate(steps, fromTopology(observed)));
}
