/**
 * Every step (and every undo command) is checked before anything runs, so bad
 * input changes nothing. The rules are an allowlist: which programs, which `ip`
 * objects and verbs, which characters an argument may hold. Arguments with
 * whitespace, quotes, backslashes, `#` or shell metacharacters are refused
 * outright: names are validated anyway, and it makes the `ip -batch` line format
 * (which splits on blanks and honours quotes and comments) safe by construction.
 */
import { Forwarder, SYSCTL_KEYS, HOST_NS } from '../../shared/model/schema';
import { STEP_PROGRAMS, type Command, type Step } from '../../shared/model/step';
import { acceptArgs } from '../../shared/plan/state';
import { StepOp } from '../../shared/model/step-op';
import { opArgv, opNamespace } from '../../shared/plan/render';
import { opFromArgv } from '../../shared/plan/legacy-argv';
import { fail } from './failure';

/** Names `ip netns add` accepts and /run/netns can hold safely. */
const NAMESPACE_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** One `ip` argument: names, addresses, prefixes, numbers, keywords. */
const IP_ARG_RE = /^[A-Za-z0-9_.:/@+,=%-]{1,255}$/;
const IPTABLES_VALUE_RE = /^!?[A-Za-z0-9_.:/,-]{1,128}$/;
const FORWARDER_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const SYSCTL_VALUE_RE = /^[0-9]{1,10}(\s[0-9]{1,10})?$/;
const MAX_FILE = 8192;

const IP_VERBS: Record<string, readonly string[]> = {
  link: ['add', 'del', 'delete', 'set', 'change'],
  address: ['add', 'del', 'delete', 'change', 'replace'],
  addr: ['add', 'del', 'delete', 'change', 'replace'],
  route: ['add', 'del', 'delete', 'change', 'replace', 'append'],
  rule: ['add', 'del', 'delete'],
  netns: ['add', 'del', 'delete', 'set'],
};

const IPTABLES_WITH_VALUE = new Set([
  '--comment',
  '-t',
  '-A',
  '-D',
  '-I',
  '-C',
  '-s',
  '-d',
  '-i',
  '-o',
  '-p',
  '-m',
  '-j',
  '--dport',
  '--sport',
  '--to-source',
  '--to-destination',
  '--to-ports',
  '--source',
  '--destination',
  '--in-interface',
  '--out-interface',
  '--protocol',
  '--jump',
  '--table',
  '--append',
  '--delete',
  '--insert',
  '--check',
]);
const IPTABLES_FLAGS = new Set(['-w', '--wait', '!']);
const IPTABLES_CHAINS = new Set(['POSTROUTING', 'PREROUTING', 'OUTPUT', 'INPUT', 'FORWARD']);
const IPTABLES_TARGETS = new Set(['MASQUERADE', 'SNAT', 'DNAT', 'RETURN', 'ACCEPT']);

export function isNamespaceName(ns: string): boolean {
  return ns === HOST_NS || (NAMESPACE_RE.test(ns) && ns !== '.' && ns !== '..');
}

export function resolvConfPath(ns: string): string {
  return `/etc/netns/${ns}/resolv.conf`;
}

/**
 * Why a command is refused, or undefined when it is acceptable: its operation
 * must be one a plan holds, run in the command's namespace, and its argv must
 * pass the allowlist (the last gate before anything runs) and spell that
 * operation: shared/plan/render.ts's argv, or (a record of an earlier version,
 * a hand-written test step) one that shared/plan/legacy-argv.ts reads back as it.
 */
export function commandProblem(cmd: Command): string | undefined {
  if (!cmd || typeof cmd !== 'object') return 'not a command';
  if (!StepOp.safeParse(cmd.op).success) return 'not an operation a plan holds';
  if (opNamespace(cmd.op) !== cmd.namespace) return `the operation runs in ${opNamespace(cmd.op)}, not in ${cmd.namespace}`;
  const p = argvProblem(cmd);
  if (p) return p;
  // what runs must mean what was decided on: the argv is the operation's own, or a spelling of it
  return spells(cmd) ? undefined : 'the argv does not spell the operation';
}

function spells(cmd: Command): boolean {
  const own = opArgv(cmd.op);
  if (own.length === cmd.argv.length && own.every((a, i) => a === cmd.argv[i])) return true;
  const read = opFromArgv(cmd.namespace, cmd.argv);
  return read !== undefined && sameValue(read, cmd.op);
}

/** Deep equality of JSON-like values, key order and absent-vs-undefined aside. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = (o: object) =>
    Object.keys(o)
      .filter((k) => (o as Record<string, unknown>)[k] !== undefined)
      .sort();
  const ka = keys(a),
    kb = keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Why an argv (run in its namespace) is refused by the allowlist, or undefined. */
export function argvProblem(cmd: Pick<Command, 'namespace' | 'argv'>): string | undefined {
  if (!cmd || typeof cmd !== 'object') return 'not a command';
  if (typeof cmd.namespace !== 'string' || !isNamespaceName(cmd.namespace)) return `invalid namespace name ${JSON.stringify(cmd.namespace)}`;
  if (!Array.isArray(cmd.argv) || cmd.argv.length === 0 || cmd.argv.some((a) => typeof a !== 'string')) return 'argv must be a non-empty array of strings';
  const [program, ...args] = cmd.argv;
  if (!(STEP_PROGRAMS as readonly string[]).includes(program)) return `program ${JSON.stringify(program)} is not allowed`;
  switch (program) {
    case 'ip':
      return ipProblem(args);
    case 'sysctl':
      return parseSysctl(cmd.argv) ? undefined : 'sysctl needs exactly one allowed key=value (forwarding switches and friends)';
    case 'iptables':
      return iptablesProblem(args);
    case 'write-file':
    case 'remove-file':
      return fileProblem(cmd);
    case 'forwarder-start':
    case 'forwarder-stop':
      return forwarderProblem(program, args);
    default:
      return `program ${program} is not allowed`;
  }
}

function ipProblem(args: string[]): string | undefined {
  let rest = args;
  if (rest[0] === '-4' || rest[0] === '-6') rest = rest.slice(1);
  const [object, verb, ...tail] = rest;
  if (!object || !(object in IP_VERBS)) return `ip object ${JSON.stringify(object)} is not allowed`;
  if (!verb || !IP_VERBS[object].includes(verb)) return `ip ${object} ${JSON.stringify(verb)} is not allowed`;
  for (const a of [object, verb, ...tail]) {
    if (!IP_ARG_RE.test(a)) return `argument ${JSON.stringify(a)} holds characters that are not allowed`;
    if (a.startsWith('-')) return `argument ${JSON.stringify(a)} may not start with "-"`;
  }
  if (object === 'netns') {
    const name = tail[0];
    if (!name || !NAMESPACE_RE.test(name) || name === HOST_NS) return `invalid namespace name ${JSON.stringify(name)}`;
    if (verb === 'set' ? tail.length !== 2 : tail.length !== 1) return `ip netns ${verb} takes a namespace name${verb === 'set' ? ' and an id' : ''}`;
  }
  for (let i = 0; i < tail.length - 1; i++) {
    if (tail[i] === 'netns' && !(NAMESPACE_RE.test(tail[i + 1]) || /^[0-9]+$/.test(tail[i + 1])))
      return `invalid namespace name ${JSON.stringify(tail[i + 1])}`;
  }
  return undefined;
}

/** `sysctl [-q] [-w] key=value` → the key and value, or undefined when not allowed. */
export function parseSysctl(argv: string[]): { key: string; value: string } | undefined {
  const args = argv.slice(1).filter((a) => !['-w', '-q', '-qw', '-wq'].includes(a));
  if (args.length !== 1) return undefined;
  const eq = args[0].indexOf('=');
  if (eq < 0) return undefined;
  const key = args[0].slice(0, eq).trim();
  const value = args[0].slice(eq + 1).trim();
  if (!(SYSCTL_KEYS as readonly string[]).includes(key) && key !== 'net.ipv6.conf.default.forwarding') return undefined;
  if (!SYSCTL_VALUE_RE.test(value)) return undefined;
  return { key, value };
}

function iptablesProblem(args: string[]): string | undefined {
  let table: string | undefined;
  let chain: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (IPTABLES_FLAGS.has(a)) continue;
    if (!IPTABLES_WITH_VALUE.has(a)) return `iptables option ${JSON.stringify(a)} is not allowed`;
    const v = args[++i];
    if (v === undefined || !IPTABLES_VALUE_RE.test(v) || v.startsWith('-')) return `iptables value ${JSON.stringify(v)} for ${a} is not allowed`;
    if (a === '-t' || a === '--table') table = v;
    if (['-A', '-D', '-I', '-C', '--append', '--delete', '--insert', '--check'].includes(a)) {
      if (!IPTABLES_CHAINS.has(v)) return `iptables chain ${v} is not allowed`;
      chain = v;
    }
    if ((a === '-j' || a === '--jump') && !IPTABLES_TARGETS.has(v)) return `iptables target ${v} is not allowed`;
  }
  if (table === 'filter') return acceptRuleProblem(args);
  if (table !== 'nat') return 'iptables steps must name the nat table (-t nat) or be a bridge accept rule (-t filter)';
  if (chain === 'FORWARD' || args.includes('--comment')) return 'FORWARD and comments belong to bridge accept rules (-t filter)';
  if (!chain) return 'iptables step names no chain operation (-A/-D/-I)';
  return undefined;
}

/** The filter table holds only one form: a bridge's FORWARD accept rule, as shared/plan/commands.ts acceptRule spells it. */
function acceptRuleProblem(args: string[]): string | undefined {
  const rest = args.filter((a) => a !== '-w');
  const [t, table, op, ...rule] = rest;
  const bridge = rule[2] ?? '';
  if (
    t !== '-t' ||
    table !== 'filter' ||
    !['-I', '-D', '-C'].includes(op) ||
    !/^[A-Za-z0-9_.:@+-]{1,15}$/.test(bridge) ||
    rule.join(' ') !== acceptArgs(bridge).join(' ')
  ) {
    return 'the only filter-table step is a bridge accept rule: -t filter -I|-D|-C FORWARD -i BR -o BR -m comment --comment netns-studio:bridge:BR -j ACCEPT';
  }
  return undefined;
}

function fileProblem(cmd: Pick<Command, 'namespace' | 'argv'>): string | undefined {
  const [program, path, content, ...extra] = cmd.argv;
  if (cmd.namespace === HOST_NS) return `${program} only writes /etc/netns/NS/resolv.conf of a named namespace`;
  if (path !== resolvConfPath(cmd.namespace)) return `${program} may only touch ${resolvConfPath(cmd.namespace)}, not ${JSON.stringify(path)}`;
  if (program === 'remove-file') return content === undefined ? undefined : 'remove-file takes only a path';
  if (extra.length || typeof content !== 'string') return 'write-file takes a path and the content';
  if (content.length > MAX_FILE) return 'file content too long';
  if (!/^[\x20-\x7e\n\t]*$/.test(content)) return 'file content must be printable text';
  return undefined;
}

function forwarderProblem(program: string, args: string[]): string | undefined {
  const [name, json, ...extra] = args;
  if (!name || !FORWARDER_NAME_RE.test(name)) return `invalid forwarder name ${JSON.stringify(name)}`;
  if (program === 'forwarder-stop') return json === undefined ? undefined : 'forwarder-stop takes only a name';
  if (extra.length || typeof json !== 'string') return 'forwarder-start takes a name and the forwarder as JSON';
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return 'forwarder JSON does not parse';
  }
  const r = Forwarder.safeParse(parsed);
  if (!r.success) return `forwarder is invalid: ${r.error.issues[0]?.message ?? 'schema'}`;
  if (r.data.name !== name) return 'forwarder name does not match';
  for (const end of [r.data.listen, r.data.target]) if (!isNamespaceName(end.namespace)) return `invalid namespace name ${JSON.stringify(end.namespace)}`;
  return undefined;
}

/**
 * Step lists this process has checked, with their length then: the plan checks its
 * steps and the executor checks what it is given, and for an apply that is the same
 * list (2,400 zod parses at 300 namespaces, ~0.1 s, not worth doing twice). Only
 * this process holds those arrays; one grown since is checked again.
 */
const validated = new WeakMap<readonly Step[], number>();

/** Throws `invalid-step` naming the first bad step or undo command; returns nothing when all are fine. */
export function validateSteps(steps: readonly Step[]): void {
  if (!Array.isArray(steps)) fail('invalid-step', 'steps must be an array');
  if (validated.get(steps) === steps.length) return;
  steps.forEach((step, index) => {
    const p = commandProblem(step);
    if (p) fail('invalid-step', `step ${index + 1} refused: ${p}`, { index, argv: step?.argv, namespace: step?.namespace });
    if (!Array.isArray(step.undo)) fail('invalid-step', `step ${index + 1} has no undo list`, { index });
    const undo: Command[] = step.undo;
    undo.forEach((u, j) => {
      const q = commandProblem(u);
      if (q) fail('invalid-step', `undo ${j + 1} of step ${index + 1} refused: ${q}`, { index, argv: u?.argv, namespace: u?.namespace });
    });
  });
  validated.set(steps, steps.length);
}
