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
 *   are already gone. `ip link set … up` is its own check (setting up a link
 *   that is up changes nothing). A conflicting object (say another default
 *   route) makes the script stop with a message naming the command; it is never
 *   replaced.
 * - Speed (bench/apply.ts: faster than one `ip` per command): a section's ip
 *   commands are queued and run by one `ip [-n NS] -batch -` before the next
 *   check that needs the live state; namespaces by their /run/netns file and
 *   links by one `ip -br link` listing per section, without a process each; a
 *   namespace this run created is known to be empty, so its checks are skipped;
 *   teardown deletes namespaces and lets their veth pairs go with them, then
 *   waits for the host ends to leave.
 * - Arguments are quoted for the shell (single quotes where needed); what
 *   `ip -batch` could misread (quotes, `#`) runs as its own command instead.
 * - External entries (a container's, a process's or a bind mount's namespace,
 *   shared/model/external.ts) are never created or deleted: like apply
 *   (helper/apply/externals.ts), the script names each under /run/netns for the
 *   run only (`netns_attach`: `ip netns attach`, or a bind mount of its file), and
 *   takes the name away again when it exits, also on failure. Teardown deletes
 *   the veths into them itself (they do not go with a namespace that stays).
 * - Forwarders are not started by the script: a shell cannot run our forwarder
 *   runtime. Each one becomes a comment pointing to `netns-studio apply` and to
 *   the GOST export (`netns-studio export FILE --format gost`).
 */
import { HOST_NS, type Topology } from '../model/schema';
import type { ExternalRef } from '../model/external';
import type { Command, Step } from '../model/step';
import { buildPlan, destroyPlan } from '../plan/plan';
import { netnsAttach, netnsDetach } from '../plan/commands';
import { command, opArgv } from '../plan/render';
import { objectKey } from '../model/ids';

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

/** The shell form of a command run in its namespace (argv from shared/plan/render.ts; files through the script's helpers). */
export function renderCommand(c: Command): string {
  const [prog, ...args] = opArgv(c.op);
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
    case 'netns-bind':
      return words(['netns_bind', ...args]);
    case 'netns-attach-container':
      return words(['netns_attach_container', ...args]);
    default:
      throw new Error(`a shell script cannot run ${prog}`);
  }
}

/** Whether `ip` can take these words on a `-batch` line as they are (no quoting, no `#`, which starts a comment there, no global option such as `-6`, which batch lines refuse). */
const batchable = (c: Command) => {
  const argv = opArgv(c.op);
  return argv[0] === 'ip' && !argv[1]?.startsWith('-') && argv.slice(1).every((a) => a !== '' && SAFE.test(a));
};

/**
 * The check of an `exists` command, with the section's namespace implied:
 * namespaces by their /run/netns file, links by the section's one `ip -br link`
 * listing (`has_link`), the rest by `have` (an `ip … show` that prints something)
 * or `quiet` (a command that succeeds, e.g. `iptables -C`).
 */
function renderCheck(c: Command): { text: string; negated: boolean } {
  const negated = c.op.op === 'not';
  const check = c.op.op === 'not' ? c.op.check : c.op;
  if (check.op === 'link.show' && !check.up && check.name === 'lo' && c.namespace !== HOST_NS)
    return { text: `[ -e ${shellQuote(`/run/netns/${c.namespace}`)} ]`, negated };
  if (check.op === 'link.show' && !check.up) return { text: `has_link ${shellQuote(check.name)}`, negated };
  if (check.op === 'link.show' || check.op === 'addr.show' || check.op === 'route.show' || check.op === 'rule.show')
    return { text: `have ${words(opArgv(check).slice(1))}`, negated };
  return { text: `quiet ${renderCommand(command(check))}`, negated };
}

/** The command of a step: `ip` lines are queued for the section's batch, the rest run at once (after the queue). */
function renderRun(step: Step, leaving: Map<string, string[]>): string {
  const op = step.op;
  if (op.op === 'netns.add') return `netns_add ${shellQuote(op.name)}`;
  if (op.op === 'netns.del') return words(['netns_del', op.name, ...(leaving.get(op.name) ?? [])]);
  if (op.op === 'netns.attach') return `${attachGuard(op.name, op.ref, !!op.goneOk)} ${renderCommand(step)}`;
  if (op.op === 'netns.detach') return `netns_detach ${shellQuote(op.name)} ${renderCommand(step)}`;
  if (batchable(step)) return `ipq ${opArgv(op).slice(1).join(' ')}`;
  return `run ${renderCommand(step)}`;
}

/** `ip link set dev X up` is its own check: setting up a link that is up changes nothing. */
const idempotent = (step: Step) => step.op.op === 'link.state' && step.op.up;

function renderStep(step: Step, leaving: Map<string, string[]>): string[] {
  const op = step.op;
  const goes = op.op === 'netns.del' && leaving.has(op.name) ? `; the host's ${leaving.get(op.name)!.join(', ')} goes with it a moment later` : '';
  const why = `# ${step.reason.replace(/\s*\n\s*/g, ' ')}${goes}`;
  if (op.op === 'forwarder.start' || op.op === 'forwarder.stop') {
    const name = op.op === 'forwarder.start' ? op.forwarder.name : op.name;
    return op.op === 'forwarder.start'
      ? [
          why,
          `# (not started here: a shell script cannot run the forwarder. Use \`netns-studio apply\`, or run GOST`,
          `#  with the config from \`netns-studio export FILE --format gost\`: forwarder ${name.replace(/[^\w.-]/g, '?')})`,
        ]
      : [why, `# (forwarder ${name.replace(/[^\w.-]/g, '?')} is stopped by \`netns-studio destroy\` or by stopping GOST)`];
  }
  const run = renderRun(step, leaving);
  if (!step.exists || idempotent(step)) return [why, run];
  const check = renderCheck(step.exists);
  // exists = "the effect is already there": skip the step when it holds
  return [why, check.negated ? `if ${check.text}; then ${run}; fi` : `${check.text} || ${run}`];
}

const sectionTitle = (ns: string) => (ns === HOST_NS ? 'host (root namespace)' : `namespace ${ns}`);

function renderSteps(steps: Step[], leaving = new Map<string, string[]>(), indent = '  '): string[] {
  const out: string[] = [];
  let ns: string | undefined;
  for (const step of steps) {
    if (step.namespace !== ns) {
      ns = step.namespace;
      if (out.length) out.push('');
      out.push(`# ---- ${sectionTitle(ns)} ----`, `section ${shellQuote(ns)}`);
    }
    out.push(...renderStep(step, leaving));
  }
  if (leaving.size)
    out.push(
      '',
      '# ---- veth pairs that go with deleted namespaces ----',
      '# the kernel frees a deleted namespace a moment later: wait until their host ends have left',
      'section host',
      'wait_leaving',
    );
  else if (out.length) out.push('send');
  else out.push(': # nothing to do');
  return out.map((l) => (l ? indent + l : l));
}

/**
 * Teardown without the veth deletions that `ip netns del` does anyway: a veth
 * from the host to a namespace the teardown deletes goes with that namespace
 * (deleting each pair first costs the kernel tens of milliseconds apiece). The
 * kernel frees a deleted namespace a moment later, so the namespace's step names
 * its pairs' host ends (`netns_del NS END…`) and the script waits at the end until
 * they have left: teardown ends with exactly what setup found.
 * Returns, per deleted namespace, the host ends that go with it.
 */
function teardownSteps(doc: Topology, steps: Step[]): { steps: Step[]; leaving: Map<string, string[]> } {
  const deleted = new Set(steps.flatMap((s) => (s.op.op === 'netns.del' ? [s.op.name] : [])));
  for (const n of doc.namespaces) if (n.external) deleted.delete(n.name); // it stays, and so do veths into it unless deleted
  // host end name → the namespace of its peer
  const peerOfHostEnd = new Map<string, string>();
  for (const v of doc.veths) {
    for (const [end, peer] of [
      [v.ends[0], v.ends[1]],
      [v.ends[1], v.ends[0]],
    ]) {
      if (end.namespace === HOST_NS && peer.namespace !== HOST_NS) peerOfHostEnd.set(end.name, peer.namespace);
    }
  }
  const leaving = new Map<string, string[]>();
  const kept = steps.filter((s) => {
    const end = s.op.op === 'link.del' && s.op.ns === HOST_NS ? s.op.name : undefined;
    const peerNs = end !== undefined ? peerOfHostEnd.get(end) : undefined;
    if (end === undefined || peerNs === undefined || !deleted.has(peerNs)) return true;
    leaving.set(peerNs, [...(leaving.get(peerNs) ?? []), end]);
    return false;
  });
  return { steps: kept, leaving };
}

function comment(text: string | undefined): string[] {
  if (!text) return [];
  return text.split('\n').map((l) => `# ${l.replace(/[\r\t]/g, ' ')}`.trimEnd());
}

/**
 * `netns_attach NAME WHAT FILE GONE`, then the step's own command (a netns.attach
 * op, argv from shared/plan/render.ts): the script's function checks the
 * namespace file FILE first (a container's through `container_netns`, which asks
 * docker or podman), uses a name that already points at it, and records the name
 * it gave so that it is taken away again.
 */
function attachGuard(name: string, ref: ExternalRef, goneOk: boolean): string {
  const [what, file] =
    'pid' in ref
      ? [`pid ${ref.pid}`, shellQuote(`/proc/${ref.pid}/ns/net`)]
      : 'path' in ref
        ? [`path ${ref.path}`, shellQuote(ref.path)]
        : [`container ${ref.container}`, `"$(container_netns ${shellQuote(ref.container)})"`];
  return `netns_attach ${shellQuote(name)} ${shellQuote(what)} ${file} ${goneOk ? 'gone-ok' : "''"}`;
}

/** The steps that name external namespaces for the run (typed netns.attach ops), and the ones that take the names away. */
function externalSteps(externals: Topology['namespaces'], goneOk: boolean): { attach: Step[]; detach: Step[] } {
  const attach = externals.map((n): Step => {
    const c = netnsAttach(n.name, n.external!, goneOk);
    const detach = netnsDetach(n.name);
    return {
      ...c,
      undo: [detach],
      reason: `${n.name} is external: named under /run/netns for this run only, never created${goneOk ? ' (skipped when it is gone)' : ''}`,
      object: objectKey.attach(n.name),
      action: 'create',
    };
  });
  const detach = externals.map((n): Step => ({
    ...netnsDetach(n.name),
    undo: [],
    reason: `the name of ${n.name} was for this run only: the namespace lives on`,
    object: objectKey.attach(n.name),
    action: 'delete',
  }));
  return { attach, detach };
}

/**
 * The script's steps, in order: setup (external namespaces attached first and
 * their names taken away last, then plan(doc, empty host) without their
 * netns.add) and teardown (the same around the destroy plan), with the host ends
 * that go with each deleted namespace. The property test (shared/plan/
 * plan.property.test.ts) runs them on both kernel models.
 */
export function scriptSteps(doc: Topology): { setup: Step[]; teardown: Step[]; leaving: Map<string, string[]> } {
  const externals = doc.namespaces.filter((n) => n.external);
  const external = new Set(externals.map((n) => n.name));
  // an external namespace is attached, not made, and detached, not deleted
  const notExternal = (s: Step) => !((s.op.op === 'netns.add' || s.op.op === 'netns.del') && external.has(s.op.name));
  const teardown = teardownSteps(doc, destroyPlan(doc).filter(notExternal));
  // teardown (like destroy): a namespace that is gone took its veths with it, nothing of ours is left there
  const up = externalSteps(externals, false);
  const down = externalSteps(externals, true);
  return {
    setup: [...up.attach, ...buildPlan(doc).filter(notExternal), ...up.detach],
    teardown: [...down.attach, ...teardown.steps, ...down.detach],
    leaving: teardown.leaving,
  };
}

/** The whole script. */
export function renderShellScript(doc: Topology, opts: ShellOptions = {}): string {
  const { setup, teardown, leaving } = scriptSteps(doc);
  const needsNat = [...setup, ...teardown].some((s) => opArgv(s.op)[0] === 'iptables');
  const needsVrf = doc.namespaces.some((n) => n.vrfs.length > 0);
  const title = doc.metadata.name ?? 'topology';
  const nsList = doc.namespaces
    .filter((n) => n.name !== HOST_NS)
    .map((n) => (n.external ? `${n.name} (external: attached, never created or deleted)` : n.name));
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
    ...(doc.forwarders.length
      ? ['# Forwarders are not run by this script: use `netns-studio apply`, or GOST (`netns-studio export FILE --format gost`).']
      : []),
    'set -eu',
    '',
    '# A check holds when its `ip ... show` prints something, or when the command succeeds.',
    'shows() { [ -n "$("$@" 2>/dev/null)" ]; }',
    'quiet() { "$@" >/dev/null 2>&1; }',
    'write_file() { mkdir -p "$(dirname "$1")"; printf \'%s\' "$2" > "$1"; }',
    'remove_file() { rm -f "$1"; rmdir "$(dirname "$1")" 2>/dev/null || true; }',
    'die() { echo "$0: $*" >&2; exit 1; }',
    '',
    '# Fast and still checked: each section acts in one namespace (`section NS`). Its ip',
    '# commands are queued (`ipq`) and sent to the kernel by ONE `ip [-n NS] -batch -` (`send`),',
    '# before any check that needs the live state and at the end of the section. A namespace',
    '# this run created holds only what the script put there, so its checks are skipped, and',
    '# links are looked up in one `ip -br link` listing per section instead of one ip each.',
    'declare -A made=()',
    "ns='' batch='' links=''",
    'ipn() { if [ "$ns" = host ]; then ip "$@"; else ip -n "$ns" "$@"; fi; }',
    'where() { if [ "$ns" = host ]; then echo "the host"; else echo "namespace $ns"; fi; }',
    "section() { send; ns=$1; links=''; }",
    'ipq() { batch+="$*"$\'\\n\'; }',
    'send() {',
    '  [ -n "$batch" ] || return 0',
    '  local err n cmds',
    "  if err=$(ipn -batch - 2>&1 <<<\"$batch\"); then batch='' links=''; return 0; fi",
    '  n=${err##*Command failed -:}; n=${n%%[!0-9]*}',
    '  mapfile -t cmds <<<"$batch"',
    '  die "$(where): \\`ip ${cmds[${n:-1}-1]}\\` failed: ${err%%$\'\\n\'Command failed*}. Something there differs from the topology; nothing after it was run"',
    '}',
    'run() { send; "$@" || die "$(where): \\`$*\\` failed"; }',
    '# a namespace made by this run: remembered as fresh; queued like the rest when ip -batch can take its name',
    'netns_add() { made[$1]=1; if [[ $1 == *[!A-Za-z0-9_.:=@%+,-]* ]]; then run ip netns add "$1"; else ipq netns add "$1"; fi; }',
    'fresh() { [ -n "${made[$ns]-}" ]; }',
    'have() { ! fresh && send && shows ipn "$@"; }',
    'has_link() {',
    '  fresh && return 1',
    '  [ -n "$links" ] || links=$\'\\n\'"$(ipn -br link show)"',
    "  [[ $links == *$'\\n'\"$1\"[@' ']* ]]",
    '}',
    '# teardown: the host ends of veth pairs whose namespaces this run deleted leave a moment later',
    'leaving=()',
    'netns_del() {',
    '  local n=$1; shift',
    '  if [[ $n == *[!A-Za-z0-9_.:=@%+,-]* ]]; then run ip netns del "$n"; else ipq netns del "$n"; fi',
    '  leaving+=("$@")',
    '}',
    '# external namespaces: a name under /run/netns while the script runs, taken away when it exits',
    'attached=()',
    'detach_all() { local n; for n in ${attached[@]+"${attached[@]}"}; do ip netns del "$n" 2>/dev/null || true; done; attached=(); }',
    'trap detach_all EXIT',
    '# netns_attach NAME WHAT FILE GONE CMD...: CMD names the namespace at FILE (a netns.attach step), unless NAME',
    '# already names it (by someone else: used and left alone); FILE missing stops the script, or with GONE skips it',
    'netns_attach() {',
    '  local name=$1 what=$2 file=$3 gone=$4; shift 4',
    '  if [ ! -e "$file" ]; then',
    '    [ -n "$gone" ] && { echo "$0: namespace $name ($what) is gone: skipped" >&2; return 0; }',
    '    die "namespace $name: no namespace for $what"',
    '  fi',
    '  if [ -e "/run/netns/$name" ]; then',
    '    [ "$(stat -L -c %i "/run/netns/$name")" = "$(stat -L -c %i "$file")" ] || die "namespace $name is external, but /run/netns/$name is another namespace"',
    '    return 0',
    '  fi',
    '  run "$@"',
    '  attached+=("$name")',
    '}',
    '# netns_detach NAME CMD...: takes away a name this run gave (a netns.detach step); the namespace lives on',
    'netns_detach() {',
    '  local name=$1 n keep=(); shift',
    '  for n in ${attached[@]+"${attached[@]}"}; do [ "$n" = "$name" ] || keep+=("$n"); done',
    '  [ "${#keep[@]}" != "${#attached[@]}" ] || return 0',
    '  attached=(${keep[@]+"${keep[@]}"})',
    '  run "$@"',
    '}',
    "# a container's namespace file: its first process, asked of docker or podman (/proc/0/… when neither knows it)",
    'container_pid() {',
    '  local rt pid',
    '  for rt in docker podman; do command -v $rt >/dev/null 2>&1 && pid=$($rt inspect -f \'{{.State.Pid}}\' "$1" 2>/dev/null) && [ "${pid:-0}" != 0 ] && { echo "$pid"; return 0; }; done',
    '  echo 0',
    '}',
    'container_netns() { echo "/proc/$(container_pid "$1")/ns/net"; }',
    'netns_attach_container() { ip netns attach "$1" "$(container_pid "$2")"; }',
    'netns_bind() { mkdir -p /run/netns && touch "/run/netns/$1" && mount --bind "$2" "/run/netns/$1" || { rm -f "/run/netns/$1"; false; }; }',
    'wait_leaving() {',
    '  local i l name',
    '  send',
    '  for i in $(seq 200); do',
    '    l=$\'\\n\'"$(ipn -br link show)"',
    '    for name in ${leaving[@]+"${leaving[@]}"}; do [[ $l == *$\'\\n\'"$name"[@\' \']* ]] && break; name=; done',
    '    [ -z "${name-}" ] && return 0',
    '    sleep 0.02',
    '  done',
    '  die "$(where): $name still there 4 s after its namespace was deleted"',
    '}',
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
    ...renderSteps(teardown, leaving),
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
