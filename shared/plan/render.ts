/**
 * The one place a step operation (shared/model/step-op.ts) becomes words: the
 * argv that runs (with the namespace it runs in) and the text people read in the
 * CLI's plan, the app's plan dialog and failure messages. The shell exporter
 * writes the same argv. Each argv form is the iproute2 / sysctl / iptables
 * command it equals; `host` is the root namespace.
 */
import { HOST_NS } from '../model/constants';
import type { ExternalRef } from '../model/external';
import type { Dns, NatRule, PolicyRule, Route } from '../model/schema';
import { MAIN_TABLE, ruleFamily } from '../model/tables';
import type { CheckOp, StepOp } from '../model/step-op';
import type { Command, Step } from '../model/step';
import { acceptArgs, canonicalForwarder, natArgs, routeIsV6 } from './state';

export const resolvConfPath = (ns: string) => `/etc/netns/${ns}/resolv.conf`;

/** The resolv.conf text for a namespace's DNS settings. */
export function resolvConf(d: Dns): string {
  return [...d.nameservers.map((s) => `nameserver ${s}`), ...(d.search?.length ? [`search ${d.search.join(' ')}`] : [])].join('\n') + '\n';
}

/**
 * The route as `ip route` takes it: [type] TO [via] [dev] [metric] [table] [src]
 * [onlink] [nexthop via A dev D weight W [onlink]]…. The route is canonical (its
 * table a number: ./state.ts canonicalRoute).
 */
export function routeSpec(r: Route): string[] {
  return [
    ...(r.type && r.type !== 'unicast' ? [r.type] : []),
    r.to,
    ...(r.via !== undefined ? ['via', r.via] : []),
    ...(r.dev !== undefined ? ['dev', r.dev] : []),
    ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
    ...(r.table !== undefined ? ['table', String(r.table)] : []),
    ...(r.src !== undefined ? ['src', r.src] : []),
    ...(r.onlink ? ['onlink'] : []),
    ...(r.nexthops ?? []).flatMap((h) => [
      'nexthop',
      ...(h.via !== undefined ? ['via', h.via] : []),
      ...(h.dev !== undefined ? ['dev', h.dev] : []),
      ...(h.weight !== undefined ? ['weight', String(h.weight)] : []),
      ...(h.onlink ? ['onlink'] : []),
    ]),
  ];
}

/**
 * The rule as `ip rule` takes it: priority P [from X] [to Y] [iif I] [oif O]
 * [fwmark M[/MASK]] then `table T` or the action. The rule is canonical (family
 * explicit, table a number: ./state.ts canonicalRule).
 */
export function ruleSpec(r: PolicyRule): string[] {
  return [
    'priority',
    String(r.priority),
    ...(r.from !== undefined ? ['from', r.from] : []),
    ...(r.to !== undefined ? ['to', r.to] : []),
    ...(r.iif !== undefined ? ['iif', r.iif] : []),
    ...(r.oif !== undefined ? ['oif', r.oif] : []),
    ...(r.fwmark !== undefined ? ['fwmark', `0x${r.fwmark.toString(16)}${r.fwmask !== undefined ? `/0x${r.fwmask.toString(16)}` : ''}`] : []),
    ...(r.action && r.action !== 'lookup' ? [r.action] : ['table', String(r.table ?? MAIN_TABLE)]),
  ];
}
const ruleFam = (r: PolicyRule) => (ruleFamily(r) === 6 ? ['-6'] : []);
/** `show` takes the selectors and a table, not an action (a check's rule holds just those: ./commands.ts ruleShow) */
const ruleShowSpec = (r: PolicyRule) => [...ruleSpec({ ...r, action: 'blackhole' }).slice(0, -1), ...(r.table !== undefined ? ['table', String(r.table)] : [])];
const fam = (r: Route) => (routeIsV6(r) ? ['-6'] : []);
/** ip [-6] route show [type T] [table T] exact TO [via] [dev] [metric]: prints the route when it exists */
const routeShowArgv = (r: Route) => [
  'ip',
  ...fam(r),
  'route',
  'show',
  ...(r.type && r.type !== 'unicast' ? ['type', r.type] : []),
  ...(r.table !== undefined ? ['table', String(r.table)] : []),
  'exact',
  r.to,
  ...(r.via !== undefined ? ['via', r.via] : []),
  ...(r.dev !== undefined ? ['dev', r.dev] : []),
  ...(r.metric !== undefined ? ['metric', String(r.metric)] : []),
];
const nat = (flag: '-A' | '-D' | '-C', rule: NatRule) => ['iptables', '-w', '-t', 'nat', flag, ...natArgs(rule)];
const accept = (flag: '-I' | '-D' | '-C', bridge: string) => ['iptables', '-w', '-t', 'filter', flag, ...acceptArgs(bridge)];
const host = (a: string) => (a.includes(':') ? 128 : 32);

/**
 * An existing namespace named NAME: by PID `ip netns attach NAME PID`; by path
 * `netns-bind NAME PATH` (a bind mount of the file at /run/netns/NAME); by
 * container `netns-attach-container NAME C` (`ip netns attach` with the PID that
 * `docker inspect` or `podman inspect` reports for C).
 */
function attachArgv(name: string, ref: ExternalRef): string[] {
  if ('pid' in ref) return ['ip', 'netns', 'attach', name, String(ref.pid)];
  if ('path' in ref) return ['netns-bind', name, ref.path];
  return ['netns-attach-container', name, ref.container];
}

/** The namespace an operation runs in (`host` for namespaces themselves). */
export function opNamespace(op: StepOp): string {
  switch (op.op) {
    case 'netns.add':
    case 'netns.del':
    case 'netns.attach':
    case 'netns.detach':
      return HOST_NS;
    case 'forwarder.start':
      return op.forwarder.listen.namespace;
    case 'not':
      return op.check.ns;
    default:
      return op.ns;
  }
}

/** The argv of an operation, run in opNamespace(op). */
export function opArgv(op: StepOp): string[] {
  switch (op.op) {
    case 'netns.add':
      return ['ip', 'netns', 'add', op.name];
    case 'netns.del':
    case 'netns.detach':
      return ['ip', 'netns', 'del', op.name];
    case 'netns.attach':
      return attachArgv(op.name, op.ref);
    case 'link.veth':
      return ['ip', 'link', 'add', 'name', op.name, 'type', 'veth', 'peer', 'name', op.peer.name, ...(op.peer.ns !== op.ns ? ['netns', op.peer.ns] : [])];
    case 'link.bridge':
      return ['ip', 'link', 'add', 'name', op.name, 'type', 'bridge'];
    case 'link.vrf':
      return ['ip', 'link', 'add', 'name', op.name, 'type', 'vrf', 'table', String(op.table)];
    case 'link.del':
      return ['ip', 'link', 'del', 'dev', op.name];
    case 'link.state':
      return ['ip', 'link', 'set', 'dev', op.name, op.up ? 'up' : 'down'];
    case 'link.mtu':
      return ['ip', 'link', 'set', 'dev', op.name, 'mtu', String(op.mtu)];
    case 'link.master':
      return ['ip', 'link', 'set', 'dev', op.name, ...(op.master ? ['master', op.master] : ['nomaster'])];
    case 'link.show':
      return ['ip', 'link', 'show', 'dev', op.name, ...(op.up ? ['up'] : [])];
    case 'addr.add':
      return ['ip', 'addr', 'add', op.cidr, 'dev', op.dev, ...(op.nodad ? ['nodad'] : [])];
    case 'addr.del':
      return ['ip', 'addr', 'del', op.cidr, 'dev', op.dev];
    case 'addr.show': {
      const a = op.cidr.split('/')[0];
      return ['ip', 'addr', 'show', 'dev', op.dev, 'to', `${a}/${host(a)}`];
    }
    // one form, three verbs: `ip [-6] route add|del|replace SPEC`
    case 'route.add':
    case 'route.del':
    case 'route.replace':
      return ['ip', ...fam(op.route), 'route', op.op.slice('route.'.length), ...routeSpec(op.route)];
    case 'route.show':
      return routeShowArgv(op.route);
    case 'rule.add':
    case 'rule.del':
      return ['ip', ...ruleFam(op.rule), 'rule', op.op.slice('rule.'.length), ...ruleSpec(op.rule)];
    case 'rule.show':
      return ['ip', ...ruleFam(op.rule), 'rule', 'show', ...ruleShowSpec(op.rule)];
    case 'sysctl.set':
      return ['sysctl', '-q', '-w', `${op.key}=${op.value}`];
    case 'nat.append':
      return nat('-A', op.rule);
    case 'nat.delete':
      return nat('-D', op.rule);
    case 'nat.check':
      return nat('-C', op.rule);
    case 'accept.insert':
      return accept('-I', op.bridge);
    case 'accept.delete':
      return accept('-D', op.bridge);
    case 'accept.check':
      return accept('-C', op.bridge);
    case 'dns.write':
      return ['write-file', resolvConfPath(op.ns), resolvConf(op.dns)];
    case 'dns.remove':
      return ['remove-file', resolvConfPath(op.ns)];
    case 'forwarder.start':
      return ['forwarder-start', op.forwarder.name, JSON.stringify(canonicalForwarder(op.forwarder))];
    case 'forwarder.stop':
      return ['forwarder-stop', op.name];
    case 'not':
      return ['!', ...opArgv(op.check)];
  }
}

/** The command of an operation: where it runs, what runs, and the operation itself. */
export function command(op: StepOp): Command {
  return { namespace: opNamespace(op), argv: opArgv(op), op };
}

/** An `exists` check that succeeds when the inner check fails ("already gone"). */
export const absent = (check: CheckOp): Command => command({ op: 'not', check });

const shellWord = (a: string) => (/^[A-Za-z0-9_.:/@+,=%-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
/** argv as a person would type it */
export const shellWords = (argv: readonly string[]) => argv.map(shellWord).join(' ');

/**
 * A command as a person would type it: `ip -n ns1 link set dev lo up`,
 * `ip netns exec ns1 sysctl …`; files and forwarders as what they do.
 */
export function commandText(c: Pick<Command, 'op'>): string {
  const op = c.op;
  const ns = opNamespace(op);
  const inNs = ns === HOST_NS ? [] : ['ip', 'netns', 'exec', ns];
  switch (op.op) {
    case 'sysctl.set':
    case 'nat.append':
    case 'nat.delete':
    case 'nat.check':
    case 'accept.insert':
    case 'accept.delete':
    case 'accept.check':
      return shellWords([...inNs, ...opArgv(op)]);
    case 'dns.write':
      return `write ${resolvConfPath(op.ns)}: ${resolvConf(op.dns).split('\n').filter(Boolean).join('; ')}`;
    case 'dns.remove':
      return `rm ${resolvConfPath(op.ns)}`;
    case 'forwarder.start': {
      const f = op.forwarder;
      return `start forwarder ${f.name}: ${f.protocol} ${f.listen.namespace} ${f.listen.address}:${f.listen.port} -> ${f.target.namespace} ${f.target.address}:${f.target.port}`;
    }
    case 'forwarder.stop':
      return `stop forwarder ${op.name}`;
    case 'netns.attach': {
      const r = op.ref;
      const what = 'pid' in r ? `process ${r.pid}` : 'path' in r ? r.path : `container ${r.container}`;
      const gone = op.goneOk ? ' (skipped when it is gone)' : '';
      return `${shellWords(opArgv(op))}   (names the namespace of ${what} ${op.name}; never creates one)${gone}`;
    }
    case 'netns.detach':
      return `${shellWords(opArgv(op))}   (takes the name away; the namespace lives on)`;
    case 'not':
      return `! ${commandText({ op: op.check })}`;
    default: {
      const [ip, ...args] = opArgv(op);
      return shellWords([ip, ...(ns === HOST_NS ? [] : ['-n', ns]), ...args]);
    }
  }
}

export interface StepGroup {
  namespace: string;
  steps: { index: number; step: Step; command: string }[];
}

/** Group steps by namespace, namespaces in order of first appearance, steps in plan order. */
export function groupByNamespace(steps: Step[]): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  steps.forEach((step, index) => {
    const g = groups.get(step.namespace) ?? { namespace: step.namespace, steps: [] };
    g.steps.push({ index, step, command: commandText(step) });
    groups.set(step.namespace, g);
  });
  return [...groups.values()];
}

/** The plan as text: a section per namespace, a reason comment per step. */
export function renderPlan(steps: Step[], opts: { color?: boolean } = {}): string {
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  const warn = (s: string) => (opts.color ? `\x1b[33m${s}\x1b[0m` : s);
  const out: string[] = [];
  for (const g of groupByNamespace(steps)) {
    out.push(`# namespace ${g.namespace}`);
    for (const { index, step, command } of g.steps) {
      const mark = step.action === 'create' ? '+' : step.action === 'delete' ? '-' : '~';
      out.push(
        `  ${mark} ${command}${dim(`   # ${index + 1}: ${step.reason}`)}${step.unmanaged ? warn(` [unmanaged: ${step.object}]`) : ''}${step.touchesHost ? warn(` [touches the host: ${step.touchesHost}]`) : ''}`,
      );
    }
  }
  return out.join('\n');
}

export function summaryLine(steps: Step[]): string {
  if (!steps.length) return 'Nothing to do: the host matches the document.';
  const n = (a: Step['action']) => steps.filter((s) => s.action === a).length;
  const un = steps.filter((s) => s.unmanaged).length;
  const hostSteps = steps.filter((s) => s.touchesHost).length;
  const nss = new Set(steps.map((s) => s.namespace)).size;
  return `Plan: ${n('create')} to create, ${n('change')} to change, ${n('delete')} to delete (${steps.length} steps in ${nss} namespace${nss === 1 ? '' : 's'})${un ? `; ${un} touch objects netns-studio did not create` : ''}${hostSteps ? `; ${hostSteps} touch the host (apply needs --allow-host)` : ''}.`;
}
