/**
 * The shell exporter: a topology as a readable bash script that builds it
 * (`script.sh` or `script.sh up`) and tears it down (`script.sh down` or
 * `--teardown`). It renders the planner's own steps, so the app and the script
 * always agree: setup is plan(doc, empty host), teardown is the plan that
 * removes exactly what setup made.
 *
 * - A preflight checks what the topology needs (root, `ip`, `iptables` for NAT,
 *   VRF support in the kernel) and stops with a clear message before any change.
 * - Every step has a comment saying why, and is guarded by its `exists` check,
 *   so running setup twice changes nothing and teardown tolerates objects that
 *   are already gone.
 * - Arguments are quoted for the shell (single quotes where needed).
 * - Forwarders are not started by the script: a shell cannot run our forwarder
 *   runtime. Each one becomes a comment pointing to `netns-studio apply` and to
 *   the GOST export (`netns-studio export FILE --format gost`).
 */
import { HOST_NS, type Topology } from '../model/schema';
import type { Command, Step } from '../model/step';
import { buildPlan, destroyPlan } from '../plan/plan';

export interface ShellOptions {
  /** the topology file it came from, named in the header */
  source?: string;
}

const SAFE = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** One shell word: as is when it is plainly safe, otherwise single-quoted. */
export function shellQuote(s: string): string {
  if (s !== '' && SAFE.test(s)) return s;
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

const words = (argv: string[]) => argv.map(shellQuote).join(' ');

/** The shell form of a command run in its namespace. */
export function renderCommand(c: Command): string {
  const [prog, ...args] = c.argv;
  const inNs = c.namespace === HOST_NS ? [] : ['ip', 'netns', 'exec', c.namespace];
  switch (prog) {
    case 'ip':
      return words(['ip', ...(c.namespace === HOST_NS ? [] : ['-n', c.namespace]), ...args]);
    case 'sysctl':
    case 'iptables':
      return words([...inNs, prog, ...args]);
    case 'write-file':
      return words(['write_file', args[0], args[1] ?? '']);
    case 'remove-file':
      return words(['remove_file', args[0]]);
    default:
      throw new Error(`a shell script cannot run ${prog}`);
  }
}

/** The check of an `exists` command: `ip … show` counts as present only when it prints something. */
function renderCheck(c: Command): { text: string; negated: boolean } {
  const negated = c.argv[0] === '!';
  const inner: Command = { namespace: c.namespace, argv: negated ? c.argv.slice(1) : c.argv };
  const shows = inner.argv[0] === 'ip' && inner.argv.includes('show');
  return { text: `${shows ? 'shows' : 'quiet'} ${renderCommand(inner)}`, negated };
}

function renderStep(step: Step): string[] {
  const why = `# ${step.reason.replace(/\s*\n\s*/g, ' ')}`;
  if (step.argv[0] === 'forwarder-start' || step.argv[0] === 'forwarder-stop') {
    const name = step.argv[1];
    return step.argv[0] === 'forwarder-start'
      ? [why, `# (not started here: a shell script cannot run the forwarder. Use \`netns-studio apply\`, or run GOST`, `#  with the config from \`netns-studio export FILE --format gost\`: forwarder ${name.replace(/[^\w.-]/g, '?')})`]
      : [why, `# (forwarder ${name.replace(/[^\w.-]/g, '?')} is stopped by \`netns-studio destroy\` or by stopping GOST)`];
  }
  const run = renderCommand(step);
  if (!step.exists) return [why, run];
  const check = renderCheck(step.exists);
  // exists = "the effect is already there": skip the step when it holds
  return [why, check.negated ? `if ${check.text}; then ${run}; fi` : `${check.text} || ${run}`];
}

function renderSteps(steps: Step[], indent = '  '): string[] {
  const out: string[] = [];
  let ns: string | undefined;
  for (const step of steps) {
    if (step.namespace !== ns) {
      ns = step.namespace;
      if (out.length) out.push('');
      out.push(`# ---- ${ns === HOST_NS ? 'host (root namespace)' : `namespace ${ns}`} ----`);
    }
    out.push(...renderStep(step));
  }
  if (!out.length) out.push(': # nothing to do');
  return out.map((l) => (l ? indent + l : l));
}

function comment(text: string | undefined): string[] {
  if (!text) return [];
  return text.split('\n').map((l) => `# ${l.replace(/[\r\t]/g, ' ')}`.trimEnd());
}

/** The whole script. */
export function renderShellScript(doc: Topology, opts: ShellOptions = {}): string {
  const setup = buildPlan(doc);
  const teardown = destroyPlan(doc);
  const needsNat = [...setup, ...teardown].some((s) => s.argv[0] === 'iptables');
  const needsVrf = doc.namespaces.some((n) => n.vrfs.length > 0);
  const title = doc.metadata.name ?? 'topology';
  const nsList = doc.namespaces.map((n) => n.name).filter((n) => n !== HOST_NS);
  const lines = [
    '#!/usr/bin/env bash',
    `# ${title.replace(/[\r\n]/g, ' ')}: network namespaces built with iproute2, exported by netns-studio.`,
    ...comment(doc.metadata.description),
    ...(opts.source ? comment(`From ${opts.source}.`) : []),
    '#',
    '# Usage: script.sh [up]               build it (running it again changes nothing)',
    '#        script.sh down | --teardown  remove exactly what setup made',
    '#',
    `# Namespaces: ${nsList.length ? nsList.join(', ') : '(none besides the host)'}. Needs root and iproute2` +
      `${needsNat ? ', iptables' : ''}${needsVrf ? ', a kernel with VRF' : ''}.`,
    '# Each step is a step of the plan `netns-studio plan` shows for an empty host, with its reason.',
    ...(doc.forwarders.length ? ['# Forwarders are not run by this script: use `netns-studio apply`, or GOST (`netns-studio export FILE --format gost`).'] : []),
    'set -eu',
    '',
    '# A check holds when its `ip ... show` prints something, or when the command succeeds.',
    'shows() { [ -n "$("$@" 2>/dev/null)" ]; }',
    'quiet() { "$@" >/dev/null 2>&1; }',
    "write_file() { mkdir -p \"$(dirname \"$1\")\"; printf '%s' \"$2\" > \"$1\"; }",
    'remove_file() { rm -f "$1"; rmdir "$(dirname "$1")" 2>/dev/null || true; }',
    'die() { echo "$0: $*" >&2; exit 1; }',
    '',
    'preflight() {',
    '  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces need it)"',
    '  command -v ip >/dev/null 2>&1 || die "needs iproute2 (the ip command)"',
    ...(needsNat ? ['  command -v iptables >/dev/null 2>&1 || die "needs iptables for the NAT rules of this topology"'] : []),
    ...(needsVrf
      ? [
          '  # VRF: try one in a throwaway namespace that vanishes with the command',
          '  if command -v unshare >/dev/null 2>&1; then',
          '    quiet unshare --net ip link add name vrf-probe type vrf table 1 ||',
          '      die "this topology needs VRF (ip link add ... type vrf), which this kernel lacks; nothing was changed"',
          '  elif [ ! -d /sys/module/vrf ]; then',
          '    die "this topology needs VRF (ip link add ... type vrf), and this kernel shows no vrf module; nothing was changed"',
          '  fi',
        ]
      : []),
    '}',
    '',
    'setup() {',
    '  preflight',
    ...renderSteps(setup),
    '}',
    '',
    'teardown() {',
    '  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces need it)"',
    ...renderSteps(teardown),
    '}',
    '',
    'case "${1:-up}" in',
    '  up | setup | --setup) setup ;;',
    '  down | teardown | --teardown) teardown ;;',
    '  -h | --help) echo "usage: $0 [up | down | --teardown]" ;;',
    '  *) echo "usage: $0 [up | down | --teardown]" >&2; exit 2 ;;',
    'esac',
    '',
  ];
  return lines.join('\n');
}

/** The same, under the name the renderer looks for. */
export const exportShell = (doc: Topology): string => renderShellScript(doc);
