/**
 * Reading back the argv of a record written before steps carried their typed
 * operation: journals and ownership records of the previous version hold
 * `{namespace, argv}` only, and recovery or destroy must still run them. This is
 * the one place argv is parsed; it knows the forms that version's planner wrote
 * (./render.ts writes the same today), plus `address`/`delete` spellings. Nothing
 * else reads argv: what it cannot read is refused, never guessed.
 */
import { Forwarder, RULE_ACTIONS, type NatRule, type PolicyRule, type Route } from '../model/schema';
import type { Command, Step } from '../model/step';
import type { CheckOp, StepOp } from '../model/step-op';
import { parseResolvConf } from './commands';
import { command, resolvConfPath } from './render';
import { acceptArgs } from './state';

/** A stored command, of this version (with `op`) or of the previous one (argv only). */
export interface StoredCommand {
  namespace: string;
  argv: string[];
  op?: StepOp;
}

/**
 * The command with its operation: the stored one, or read from its argv (then
 * namespace and argv as ./render.ts spells them); undefined when the argv is no
 * form a plan holds.
 */
export function withOp<C extends StoredCommand>(c: C): (C & Command) | undefined {
  if (c.op) return c as C & Command;
  const op = opFromArgv(c.namespace, c.argv);
  return op ? { ...c, ...command(op) } : undefined;
}

/** A stored step with the operations of it, its undo and its check (see withOp); throws on a command no plan holds. */
export function stepWithOps<S extends Omit<StoredCommand, 'op'> & { op?: StepOp; undo: StoredCommand[]; exists?: StoredCommand }>(s: S): S & Step {
  const read = <C extends StoredCommand>(c: C) =>
    withOp(c) ??
    (() => {
      throw new Error(`not a plan command: ${c.namespace}: ${c.argv.join(' ')}`);
    })();
  return { ...read(s), undo: s.undo.map(read), ...(s.exists ? { exists: read(s.exists) } : {}) } as S & Step;
}

/** The operation an argv (run in `ns`) spells, or undefined. */
export function opFromArgv(ns: string, argv: readonly string[]): StepOp | undefined {
  try {
    return parse(ns, [...argv]);
  } catch {
    return undefined;
  }
}

/** A command read from a stored argv; throws when it is no form a plan holds. */
export function commandFromArgv(namespace: string, argv: string[]): Command {
  const op = opFromArgv(namespace, argv);
  if (!op) throw new Error(`not a plan command: ${namespace}: ${argv.join(' ')}`);
  return { namespace, argv, op };
}

class Unreadable extends Error {}
const no = (): never => {
  throw new Unreadable();
};
const CHECKS = new Set(['link.show', 'addr.show', 'route.show', 'rule.show', 'nat.check', 'accept.check']);

function parse(ns: string, argv: string[]): StepOp {
  const [prog, ...args] = argv;
  switch (prog) {
    case '!': {
      const check = parse(ns, args);
      return CHECKS.has(check.op) ? { op: 'not', check: check as CheckOp } : no();
    }
    case 'ip':
      return ip(ns, args);
    case 'sysctl': {
      const kv = args.filter((a) => !a.startsWith('-'));
      if (kv.length !== 1 || !kv[0].includes('=')) no();
      const i = kv[0].indexOf('=');
      return { op: 'sysctl.set', ns, key: kv[0].slice(0, i).trim(), value: kv[0].slice(i + 1).trim() };
    }
    case 'iptables': {
      const rest = args.filter((a) => a !== '-w');
      if (rest[0] !== '-t') no();
      const [, table, flag, ...rule] = rest;
      if (table === 'filter') {
        const bridge = rule[2] ?? '';
        if (rule.join(' ') !== acceptArgs(bridge).join(' ')) no();
        const op = ({ '-I': 'accept.insert', '-D': 'accept.delete', '-C': 'accept.check' } as const)[flag as '-I'] ?? no();
        return { op, ns, bridge };
      }
      if (table !== 'nat') no();
      const op = ({ '-A': 'nat.append', '-D': 'nat.delete', '-C': 'nat.check' } as const)[flag as '-A'] ?? no();
      return { op, ns, rule: natRule(rule) };
    }
    case 'write-file':
      if (args[0] !== resolvConfPath(ns) || args.length !== 2) no();
      return { op: 'dns.write', ns, dns: parseResolvConf(args[1]) };
    case 'remove-file':
      if (args[0] !== resolvConfPath(ns) || args.length !== 1) no();
      return { op: 'dns.remove', ns };
    case 'forwarder-start':
      return { op: 'forwarder.start', forwarder: Forwarder.parse(JSON.parse(args[1] ?? '')) };
    case 'forwarder-stop':
      return args[0] ? { op: 'forwarder.stop', ns, name: args[0] } : no();
    default:
      return no();
  }
}

function ip(ns: string, argsIn: string[]): StepOp {
  const v6 = argsIn[0] === '-6';
  const args = argsIn[0] === '-4' || argsIn[0] === '-6' ? argsIn.slice(1) : argsIn;
  const [object, verbIn, ...rest] = args;
  const verb = verbIn === 'delete' ? 'del' : verbIn;
  if (object === 'netns') {
    if (rest.length !== 1) no();
    return verb === 'add' ? { op: 'netns.add', name: rest[0] } : verb === 'del' ? { op: 'netns.del', name: rest[0] } : no();
  }
  if (object === 'link') return link(ns, verb, rest);
  if (object === 'addr' || object === 'address') {
    if (verb === 'show') {
      if (rest[0] !== 'dev' || rest[2] !== 'to' || rest.length !== 4) no();
      return { op: 'addr.show', ns, dev: rest[1], cidr: rest[3] };
    }
    const [cidr, devKw, dev, ...flags] = rest;
    if (devKw !== 'dev' || !dev) no();
    if (verb === 'add' && (flags.length === 0 || (flags.length === 1 && flags[0] === 'nodad')))
      return { op: 'addr.add', ns, dev, cidr, ...(flags.length ? { nodad: true as const } : {}) };
    if (verb === 'del' && flags.length === 0) return { op: 'addr.del', ns, dev, cidr };
    return no();
  }
  if (object === 'route') {
    if (verb === 'show') return { op: 'route.show', ns, route: routeShow(rest) };
    const route = routeSpec(rest);
    return verb === 'add'
      ? { op: 'route.add', ns, route }
      : verb === 'del'
        ? { op: 'route.del', ns, route }
        : verb === 'replace'
          ? { op: 'route.replace', ns, route }
          : no();
  }
  if (object === 'rule') {
    const rule: PolicyRule = { ...ruleSpec(rest, verb === 'show'), family: v6 ? 6 : 4 };
    return verb === 'add'
      ? { op: 'rule.add', ns, rule }
      : verb === 'del'
        ? { op: 'rule.del', ns, rule }
        : verb === 'show'
          ? { op: 'rule.show', ns, rule }
          : no();
  }
  return no();
}

function link(ns: string, verb: string, rest: string[]): StepOp {
  if (verb === 'add') {
    const [nameKw, name, typeKw, type, ...more] = rest;
    if (nameKw !== 'name' || typeKw !== 'type') no();
    if (type === 'bridge' && more.length === 0) return { op: 'link.bridge', ns, name };
    if (type === 'vrf' && more[0] === 'table' && more.length === 2) return { op: 'link.vrf', ns, name, table: Number(more[1]) };
    if (type !== 'veth') no();
    const [peerKw, pNameKw, pName, netnsKw, pNs, ...extra] = more;
    if (peerKw !== 'peer' || pNameKw !== 'name' || !pName || extra.length || (netnsKw !== undefined && (netnsKw !== 'netns' || !pNs))) no();
    return { op: 'link.veth', ns, name, peer: { ns: pNs ?? ns, name: pName } };
  }
  const [devKw, name, ...attrs] = rest;
  if (devKw !== 'dev' || !name) no();
  if (verb === 'del' && attrs.length === 0) return { op: 'link.del', ns, name };
  if (verb === 'show')
    return attrs.length === 0 ? { op: 'link.show', ns, name } : attrs.length === 1 && attrs[0] === 'up' ? { op: 'link.show', ns, name, up: true } : no();
  if (verb !== 'set') no();
  if (attrs.length === 1 && (attrs[0] === 'up' || attrs[0] === 'down')) return { op: 'link.state', ns, name, up: attrs[0] === 'up' };
  if (attrs.length === 1 && attrs[0] === 'nomaster') return { op: 'link.master', ns, name };
  if (attrs.length === 2 && attrs[0] === 'master') return { op: 'link.master', ns, name, master: attrs[1] };
  if (attrs.length === 2 && attrs[0] === 'mtu') return { op: 'link.mtu', ns, name, mtu: Number(attrs[1]) };
  return no();
}

/** `[type] TO [via] [dev] [metric] [table] [src] [onlink] [nexthop via A dev D weight W [onlink]]…`, as render.ts routeSpec spells it. */
function routeSpec(args: string[]): Route {
  let i = 0;
  const r: Route = { to: '' };
  if (['blackhole', 'unreachable', 'prohibit', 'unicast', 'local'].includes(args[0])) r.type = args[i++] as Route['type'];
  r.to = args[i++] ?? no();
  for (; i < args.length; i++) {
    const k = args[i];
    const hop = r.nexthops?.at(-1);
    if (k === 'onlink') {
      if (hop) hop.onlink = true;
      else r.onlink = true;
      continue;
    }
    if (k === 'nexthop') {
      (r.nexthops ??= []).push({});
      continue;
    }
    const v = args[++i] ?? no();
    if (hop) {
      if (k === 'via') hop.via = v;
      else if (k === 'dev') hop.dev = v;
      else if (k === 'weight') hop.weight = Number(v);
      else no();
    } else if (k === 'via') r.via = v;
    else if (k === 'dev') r.dev = v;
    else if (k === 'metric') r.metric = Number(v);
    else if (k === 'table') r.table = Number(v);
    else if (k === 'src') r.src = v;
    else no();
  }
  return r;
}

/** `priority P [from X] [to Y] [iif I] [oif O] [fwmark M[/MASK]] (table T | ACTION)`, as render.ts ruleSpec spells it (a check: no action). */
function ruleSpec(args: string[], check: boolean): PolicyRule {
  const r: Partial<PolicyRule> = {};
  for (let i = 0; i < args.length; i++) {
    const k = args[i];
    if (!check && RULE_ACTIONS.includes(k as PolicyRule['action'] & string) && k !== 'lookup' && i === args.length - 1) {
      r.action = k as PolicyRule['action'];
      continue;
    }
    const v = args[++i] ?? no();
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
    } else no();
  }
  return r.priority === undefined || !Number.isInteger(r.priority) ? no() : (r as PolicyRule);
}

/** `[type T] [table T] exact TO [via] [dev] [metric]`, as render.ts spells a route check. */
function routeShow(args: string[]): Route {
  const r: Route = { to: '' };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1] ?? no()];
    if (k === 'type') r.type = v as Route['type'];
    else if (k === 'table') r.table = Number(v);
    else if (k === 'exact') r.to = v;
    else if (k === 'via') r.via = v;
    else if (k === 'dev') r.dev = v;
    else if (k === 'metric') r.metric = Number(v);
    else no();
  }
  return r.to ? r : no();
}

function natRule(args: string[]): NatRule {
  const [chain, ...rest] = args;
  const r: Partial<NatRule> = {};
  for (let i = 0; i < rest.length; i += 2) {
    const [k, v] = [rest[i], rest[i + 1] ?? no()];
    if (k === '-s') r.source = v;
    else if (k === '-d') r.destination = v;
    else if (k === '-i') r.inInterface = v;
    else if (k === '-o') r.outInterface = v;
    else if (k === '-p') r.protocol = v as NatRule['protocol'];
    else if (k === '--dport') r.port = Number(v);
    else if (k === '-j') r.action = v === 'MASQUERADE' ? 'masquerade' : v === 'SNAT' ? 'snat' : v === 'DNAT' ? 'dnat' : no();
    else if (k === '--to-source' || k === '--to-destination') r.toAddress = v;
    else no();
  }
  if (!r.action || (chain === 'PREROUTING') !== (r.action === 'dnat')) no();
  return r as NatRule;
}
