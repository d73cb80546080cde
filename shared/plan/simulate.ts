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
 * It understands exactly the command forms of ./commands.ts.
 */
import ipaddr from 'ipaddr.js';
import { HOST_NS, Forwarder as ForwarderSchema, RULE_ACTIONS, SYSCTL_KEYS, type NatRule, type PolicyRule, type Route, type SysctlKey } from '../model/schema';
import { objectKey } from '../model/ids';
import type { Command, Step } from '../model/step';
import { parseResolvConf, resolvConfPath } from './commands';
import {
  SYSCTL_DEFAULTS, acceptArgs, canonicalCidr, isV6, routeIsV6, canonicalDns, canonicalForwarder, canonicalNat, canonicalRoute, canonicalRule, cloneState, fromTopology, natKey, routeKey, ruleKey, toTopology,
  type LinkState, type State,
} from './state';
import type { Topology } from '../model/schema';

export class SimError extends Error {
  constructor(public readonly command: Command, message: string) {
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
  const [prog, ...args] = cmd.argv;
  switch (prog) {
    case 'ip':
      return ipCommand(s, ns, args, fail);
    case 'sysctl': {
      const kv = args.filter((a) => !a.startsWith('-'));
      if (kv.length !== 1) fail('expected one key=value');
      const i = kv[0].indexOf('=');
      const key = kv[0].slice(0, i) as SysctlKey;
      if (!(SYSCTL_KEYS as readonly string[]).includes(key)) fail(`unknown sysctl ${key}`);
      const value = kv[0].slice(i + 1).trim().replace(/\s+/g, ' ');
      const k = objectKey.sysctl(ns, key);
      if (value === SYSCTL_DEFAULTS[key]) s.sysctls.delete(k);
      else s.sysctls.set(k, { ns, key, value });
      return;
    }
    case 'iptables': {
      const rest = args.filter((a) => a !== '-w');
      if (rest[0] === '-t' && rest[1] === 'filter') return acceptCommand(s, ns, rest.slice(2), fail);
      if (rest[0] !== '-t' || rest[1] !== 'nat') fail('only the nat table');
      const op = rest[2];
      const rule = parseNatArgs(rest.slice(3), fail);
      const k = natKey(ns, rule);
      if (op === '-A') {
        // iptables appends duplicates happily; the planner must never ask for one
        if (s.nat.has(k)) fail('rule already present (would be duplicated)');
        s.nat.set(k, { ns, rule });
      } else if (op === '-D') {
        if (!s.nat.delete(k)) fail('Bad rule (does a matching rule exist in that chain?)');
      } else fail(`unsupported iptables operation ${op}`);
      return;
    }
    case 'write-file': {
      if (ns === HOST_NS || args[0] !== resolvConfPath(ns)) fail('only /etc/netns/NS/resolv.conf');
      s.dns.set(objectKey.dns(ns), { ns, dns: canonicalDns(parseResolvConf(args[1] ?? '')) });
      return;
    }
    case 'remove-file': {
      if (args[0] !== resolvConfPath(ns)) fail('only /etc/netns/NS/resolv.conf');
      s.dns.delete(objectKey.dns(ns));
      return;
    }
    case 'forwarder-start': {
      const f = canonicalForwarder(ForwarderSchema.parse(JSON.parse(args[1])));
      const k = objectKey.forwarder(f.name);
      if (s.forwarders.has(k)) fail(`forwarder ${f.name} already running`);
      s.forwarders.set(k, f);
      return;
    }
    case 'forwarder-stop': {
      if (!s.forwarders.delete(objectKey.forwarder(args[0]))) fail(`forwarder ${args[0]} is not running`);
      return;
    }
    default:
      fail(`unknown program ${prog}`);
  }
}

type Fail = (m: string) => never;

function ipCommand(s: State, ns: string, argsIn: string[], fail: Fail): void {
  let args = argsIn;
  const v6 = args[0] === '-6';
  if (args[0] === '-4' || args[0] === '-6') args = args.slice(1);
  const [object, verb, ...rest] = args;
  if (object === 'netns') {
    if (ns !== HOST_NS) fail('netns commands run in the host');
    const name = rest[0];
    if (name === HOST_NS) fail('the host namespace is not a named namespace');
    if (verb === 'add') {
      if (s.namespaces.has(name)) fail(`Cannot create namespace file "/run/netns/${name}": File exists`);
      s.namespaces.set(name, { loopback: 'down' });
    } else if (verb === 'del') {
      if (!s.namespaces.has(name)) fail(`Cannot remove namespace file "/run/netns/${name}": No such file or directory`);
      deleteNamespace(s, name);
    } else fail(`unsupported netns verb ${verb}`);
    return;
  }
  if (object === 'link') return linkCommand(s, ns, verb, rest, fail);
  if (object === 'addr') {
    const [cidrIn, devKw, dev, ...flags] = rest;
    if (devKw !== 'dev') fail('expected CIDR dev NAME');
    if (flags.some((f) => f !== 'nodad') || (flags.length && verb !== 'add')) fail(`unsupported addr flags ${flags.join(' ')}`);
    const cidr = canonicalCidr(cidrIn);
    if (!isLink(s, ns, dev)) fail(`Cannot find device "${dev}"`);
    const k = objectKey.address(ns, dev, cidr);
    if (verb === 'add') {
      if (s.addresses.has(k)) fail('RTNETLINK answers: File exists');
      s.addresses.set(k, { ns, dev, cidr });
    } else if (verb === 'del') {
      if (!s.addresses.has(k)) fail('RTNETLINK answers: Cannot assign requested address');
      // routes whose gateway only this address made reachable go with it, and with
      // the last IPv4 address of a link go all the IPv4 routes through it
      const doomed = [...s.routes].filter(([, r]) => r.ns === ns && routeDevice(s, ns, r.route) === dev).filter(([, r]) => {
        const others = [...s.addresses.values()].filter((a) => a.ns === ns && a.dev === dev && a.cidr !== cidr && isV6(a.cidr) === isV6(cidr));
        if (r.route.via && inSubnet(r.route.via, cidr) && !others.some((a) => inSubnet(r.route.via!, a.cidr))) return true;
        return !isV6(cidr) && !routeIsV6(r.route) && others.length === 0;
      });
      for (const [rk] of doomed) s.routes.delete(rk);
      s.addresses.delete(k);
    } else fail(`unsupported addr verb ${verb}`);
    return;
  }
  if (object === 'route') {
    const route = canonicalRoute(parseRouteSpec(rest, fail));
    const k = routeKey(ns, route);
    const have = s.routes.get(k);
    if (verb === 'del') {
      if (!have || JSON.stringify(have.route) !== JSON.stringify(route)) fail('RTNETLINK answers: No such process');
      s.routes.delete(k);
      return;
    }
    if (verb === 'add' && have) fail('RTNETLINK answers: File exists');
    if (verb !== 'add' && verb !== 'replace') fail(`unsupported route verb ${verb}`);
    checkRoutable(s, ns, route, fail);
    s.routes.set(k, { ns, route });
    return;
  }
  if (object === 'rule') {
    const rule = canonicalRule({ ...parseRuleSpec(rest, fail), ...(v6 ? { family: 6 as const } : {}) });
    const k = ruleKey(ns, rule);
    const have = s.rules.get(k);
    if (verb === 'add') {
      // the kernel takes two rules at one priority; the planner never asks for that (keys are family + priority)
      if (have) fail('RTNETLINK answers: File exists');
      s.rules.set(k, { ns, rule });
    } else if (verb === 'del') {
      if (!have || JSON.stringify(have.rule) !== JSON.stringify(rule)) fail('RTNETLINK answers: No such file or directory');
      s.rules.delete(k);
    } else fail(`unsupported rule verb ${verb}`);
    return;
  }
  fail(`unsupported ip object ${object}`);
}

/** `priority P [from X] [to Y] [iif I] [oif O] [fwmark M[/MASK]] (table T | ACTION)`, as commands.ts ruleSpec spells it. */
function parseRuleSpec(args: string[], fail: Fail): PolicyRule {
  const r: Partial<PolicyRule> = {};
  for (let i = 0; i < args.length; i++) {
    const k = args[i];
    if (RULE_ACTIONS.includes(k as PolicyRule['action'] & string) && k !== 'lookup') {
      r.action = k as PolicyRule['action'];
      continue;
    }
    const v = args[++i];
    if (v === undefined) fail(`rule ${k} without value`);
    if (k === 'priority') r.priority = Number(v);
    else if (k === 'from') r.from = v;
    else if (k === 'to') r.to = v;
    else if (k === 'iif') r.iif = v;
    else if (k === 'oif') r.oif = v;
    else if (k === 'table') r.table = Number(v);
    else if (k === 'fwmark') {
      const [m, mask] = v.split('/');
      r.fwmark = Number(m);
      if (mask !== undefined) r.fwmask = Number(mask);
    } else fail(`unsupported rule keyword ${k}`);
  }
  if (r.priority === undefined) fail('a rule without priority');
  return r as PolicyRule;
}

function linkCommand(s: State, ns: string, verb: string, rest: string[], fail: Fail): void {
  if (verb === 'add') {
    // name A type veth peer name B [netns NS] | name X type bridge | name X type vrf table T
    const [nameKw, name, typeKw, type, ...more] = rest;
    if (nameKw !== 'name' || typeKw !== 'type') fail('expected: name X type KIND');
    if (isLink(s, ns, name)) fail('RTNETLINK answers: File exists');
    if (type === 'veth') {
      const [peerKw, pNameKw, pName, netnsKw, pNs] = more;
      if (peerKw !== 'peer' || pNameKw !== 'name') fail('expected: peer name B');
      const peerNs = netnsKw === 'netns' ? pNs : ns;
      if (!s.namespaces.has(peerNs)) fail(`Invalid "netns" value "${peerNs}"`);
      if (isLink(s, peerNs, pName) || (peerNs === ns && pName === name)) fail('RTNETLINK answers: File exists');
      s.links.set(objectKey.link(ns, name), { ns, name, kind: 'veth', peer: { ns: peerNs, name: pName }, up: false });
      s.links.set(objectKey.link(peerNs, pName), { ns: peerNs, name: pName, kind: 'veth', peer: { ns, name }, up: false });
    } else if (type === 'bridge') {
      s.links.set(objectKey.link(ns, name), { ns, name, kind: 'bridge', up: false });
    } else if (type === 'vrf') {
      if (more[0] !== 'table') fail('vrf needs a table');
      s.links.set(objectKey.link(ns, name), { ns, name, kind: 'vrf', table: Number(more[1]), up: false });
    } else fail(`unsupported link type ${type}`);
    return;
  }
  const [devKw, name, ...attrs] = rest;
  if (devKw !== 'dev') fail('expected dev NAME');
  const k = objectKey.link(ns, name);
  const l = s.links.get(k);
  if (!l && !(name === 'lo' && verb === 'set')) fail(`Cannot find device "${name}"`);
  if (verb === 'del') {
    deleteLink(s, l!);
    return;
  }
  if (verb !== 'set') fail(`unsupported link verb ${verb}`);
  if (name === 'lo') {
    if (attrs.length !== 1 || (attrs[0] !== 'up' && attrs[0] !== 'down')) fail('only lo up/down');
    s.namespaces.set(ns, { loopback: attrs[0] as 'up' | 'down' });
    return;
  }
  let next: LinkState = { ...l! };
  for (let i = 0; i < attrs.length; i++) {
    const a = attrs[i];
    if (a === 'up') next.up = true;
    else if (a === 'down') {
      next.up = false;
      dropRoutesVia(s, ns, name);
    } else if (a === 'mtu') {
      const mtu = Number(attrs[++i]);
      next = { ...next, mtu };
    } else if (a === 'master') {
      const m = attrs[++i];
      const ml = s.links.get(objectKey.link(ns, m));
      if (!ml || (ml.kind !== 'bridge' && ml.kind !== 'vrf')) fail(`master ${m} is not a bridge or VRF here`);
      if (ml!.kind === 'bridge' && next.kind !== 'veth') fail('only veths join bridges here');
      if (m === name) fail('a link cannot be its own master');
      next = { ...next, master: m };
    } else if (a === 'nomaster') {
      const { master: _m, ...without } = next;
      void _m;
      next = without;
    } else fail(`unsupported link attribute ${a}`);
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
    dropRoutesVia(s, g.ns, g.name); // first: a route's link is found through the addresses
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

/** The link a route goes out of: its `dev`, or the link whose subnet holds its gateway. */
export function routeDevice(s: State, ns: string, r: Route): string | undefined {
  if (r.dev) return r.dev;
  // a multipath route goes with the first of its links (IPv4 drops the whole route with any of them)
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

function dropRoutesVia(s: State, ns: string, dev: string): void {
  for (const [k, r] of s.routes) if (r.ns === ns && routeDevice(s, ns, r.route) === dev) s.routes.delete(k);
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
    for (const h of r.nexthops) checkRoutable(s, ns, { to: r.to, ...(h.via ? { via: h.via } : {}), ...(h.dev ? { dev: h.dev } : {}), ...(h.onlink ? { onlink: true } : {}) }, fail);
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

function parseRouteSpec(args: string[], fail: Fail): Route {
  let i = 0;
  const r: Route = { to: '' };
  if (['blackhole', 'unreachable', 'prohibit', 'unicast', 'local'].includes(args[0])) r.type = args[i++] as Route['type'];
  r.to = args[i++];
  if (!r.to) fail('route without destination');
  for (; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (k === 'onlink') {
      const hop = r.nexthops?.at(-1);
      if (hop) hop.onlink = true;
      else r.onlink = true;
      i--;
      continue;
    }
    if (k === 'nexthop') {
      (r.nexthops ??= []).push({});
      i--;
      continue;
    }
    if (v === undefined) fail(`route ${k} without value`);
    const hop = r.nexthops?.at(-1);
    if (hop && (k === 'via' || k === 'dev' || k === 'weight')) {
      if (k === 'weight') hop.weight = Number(v);
      else hop[k] = v;
      continue;
    }
    if (k === 'via') r.via = v;
    else if (k === 'dev') r.dev = v;
    else if (k === 'metric') r.metric = Number(v);
    else if (k === 'table') r.table = Number(v);
    else if (k === 'src') r.src = v;
    else fail(`unsupported route keyword ${k}`);
  }
  return r;
}

/** `-I|-D FORWARD -i BR -o BR -m comment --comment netns-studio:bridge:BR -j ACCEPT`, exactly as commands.ts spells it. */
function acceptCommand(s: State, ns: string, args: string[], fail: Fail): void {
  const [op, ...rule] = args;
  const bridge = rule[2] ?? '';
  if (rule.join(' ') !== acceptArgs(bridge).join(' ')) fail(`unsupported filter rule ${rule.join(' ')}`);
  const k = objectKey.accept(ns, bridge);
  if (op === '-I') {
    if (s.accepts.has(k)) fail('rule already present (would be duplicated)');
    s.accepts.set(k, { ns, bridge });
  } else if (op === '-D') {
    if (!s.accepts.delete(k)) fail('Bad rule (does a matching rule exist in that chain?)');
  } else fail(`unsupported iptables operation ${op}`);
}

function parseNatArgs(args: string[], fail: Fail): NatRule {
  const [chain, ...rest] = args;
  const r: Partial<NatRule> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [k, v] = [rest[i], rest[i + 1]];
    if (v === undefined) fail(`iptables ${k} without value`);
    if (k === '-s') r.source = v;
    else if (k === '-d') r.destination = v;
    else if (k === '-i') r.inInterface = v;
    else if (k === '-o') r.outInterface = v;
    else if (k === '-p') r.protocol = v as NatRule['protocol'];
    else if (k === '--dport') r.port = Number(v);
    else if (k === '-j') r.action = v === 'MASQUERADE' ? 'masquerade' : v === 'SNAT' ? 'snat' : v === 'DNAT' ? 'dnat' : fail(`unsupported target ${v}`);
    else if (k === '--to-source' || k === '--to-destination') r.toAddress = v;
    else fail(`unsupported iptables option ${k}`);
  }
  if (!r.action) fail('rule without -j');
  if ((chain === 'PREROUTING') !== (r.action === 'dnat')) fail(`${r.action} does not belong in ${chain}`);
  return canonicalNat(r as NatRule);
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
