/**
 * Runs plan steps on the host: validated first (all of them, before anything
 * runs), scheduled into `ip -batch` processes and parallel lanes (./schedule.ts),
 * journaled before every unit (./journal.ts), and on failure undone in reverse
 * order so the host is left as it was.
 */
import { mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Forwarder, type Forwarder as ForwarderT } from '../../shared/model/schema';
import type { Command, Step } from '../../shared/model/step';
import type { StepOp } from '../../shared/model/step-op';
import type { ApplyProgress } from '../../shared/protocol/methods';
import type { Failure } from './failure';
import type { Journal } from './journal';
import { inNamespace, programPath, runIpBatch, runProc, type RunnerOptions } from './runner';
import { Dispatcher, unitsOf, waves, type Item, type Unit } from './schedule';
import { fanoutAvailable, runFanout } from './fanout';
import { netlinkCanRun, runNetlinkLanes } from './netlink-lanes';

/** fewest one-batch namespace lanes in a wave worth starting through xargs */
const FANOUT_MIN = 8;
/**
 * most lines of one namespace handed out at once: the host's long batch (every
 * namespace and veth of a star) is cut so that the namespaces it has finished
 * are configured on the other core while it goes on (bench:apply prints the
 * overlap in its trace). Each cut costs one more `ip` process.
 */
const HOST_CHUNK = Number(envSetting('NETNS_STUDIO_HOST_CHUNK') ?? 300);
/** most namespaces per xargs run: bigger is faster, smaller reports progress more often */
const FANOUT_CHUNK = Number(envSetting('NETNS_STUDIO_FANOUT_CHUNK') ?? 256);
import { validateSteps } from './validate-step';
import { waitLinksGone } from './settle';
import { createdKeys, keyNamespace } from '../ownership/keys';
import type { ForwarderStatus } from '../forwarders/runtime';
import { envSetting } from '../env-overrides';

/** Starts and stops port forwarders; provided by the forwarder runtime (helper/forwarders). */
export interface ForwarderRuntime {
  start(fw: ForwarderT): Promise<void>;
  stop(name: string): Promise<void>;
  /** what runs now (the engine's discover puts these in the observed document) */
  list?(): Promise<ForwarderStatus[]>;
}

/**
 * Runs a step whose program is not a kernel tool (`forwarder-start`,
 * `forwarder-stop`, or one added later): resolves to undefined on success, else
 * to the error text (shown to people, and tested against "already gone/there"
 * in rollback). Handlers run alone (never batched) and are barriers in the
 * schedule (./schedule.ts touches).
 */
export type StepHandler = (cmd: Command) => Promise<string | undefined>;

export interface ExecuteOptions extends RunnerOptions {
  forwarders?: ForwarderRuntime;
  /** programs run in-process, by name; consulted before the built-in ones (forwarder-* default to `forwarders`) */
  handlers?: Partial<Record<string, StepHandler>>;
  onProgress?: (p: ApplyProgress) => void;
  journal?: Journal;
  /** run independent namespaces side by side (default true) */
  parallel?: boolean;
  /** most lanes at once (default 4) */
  concurrency?: number;
  /**
   * Test-only fault injection: behave as if step k failed. Set by tests through the
   * in-process API; the helper protocol has no way to reach it.
   */
  failAtStep?: number;
  /** test-only: wait this long before each unit, so a test can kill the helper mid-apply */
  stepDelayMs?: number;
  /** destroy: a command whose object is already gone counts as done (without effect) */
  tolerateGone?: boolean | Set<number>;
  /** recovery (finish): these step indices may already have taken effect; "exists" counts as applied */
  tolerateExisting?: Set<number>;
}

export type ExecuteResult = { ok: true; applied: number[]; skipped: number[] } | { ok: false; error: Failure; applied: number[] };

/** Errors that mean "the object is already gone" (deletes) or "already there" (re-creates in rollback). */
const GONE_RE =
  /Cannot find device|No such file or directory|No such process|Address not found|Cannot assign requested address|does not exist|Bad rule|No chain\/target\/match|Cannot open network namespace|No such device|ENOENT|not found/i;
const EXISTS_RE = /File exists|already exists|already assigned|EEXIST/i;

interface UnitOutcome {
  /** items whose command took effect */
  applied: Item[];
  /** items that counted as done without effect (tolerated) */
  skipped: Item[];
  /** items that may or may not have taken effect (the process died unexpectedly) */
  uncertain: Item[];
  /** the first hard failure (what stopped a strict unit) */
  failed?: { item: Item; stderr: string };
  /** every hard failure (force mode goes on after one) */
  failures: { item: Item; stderr: string }[];
}

/** Run one unit; strict mode stops at the first failure, force mode runs all and tolerates per `tolerate`. */
async function runUnit(
  unit: Unit,
  opts: ExecuteOptions,
  mode: { force: boolean; tolerate?: (item: Item, err: string) => boolean; failAt?: number },
): Promise<UnitOutcome> {
  const out: UnitOutcome = { applied: [], skipped: [], uncertain: [], failures: [] };
  const hard = (item: Item, stderr: string) => {
    out.failures.push({ item, stderr });
    out.failed ??= { item, stderr };
  };
  let items = unit.items;
  const injected = mode.failAt === undefined ? -1 : items.findIndex((it) => it.step === mode.failAt);
  if (injected >= 0) items = items.slice(0, injected);
  if (unit.kind === 'ip-batch') {
    let rest = items;
    while (rest.length) {
      const r = await runIpBatch(
        unit.namespace,
        rest.map((it) => it.argv.slice(1)),
        { ...opts, force: mode.force },
      );
      if (r.code === 0) {
        out.applied.push(...rest);
        break;
      }
      if (mode.force) {
        rest.forEach((it, i) => {
          const err = r.failures.get(i);
          if (err === undefined) out.applied.push(it);
          else if (mode.tolerate?.(it, err)) out.skipped.push(it);
          else hard(it, err);
        });
        if (!r.failures.size) rest.forEach((it) => hard(it, r.stderr.trim() || `ip exited ${r.code}`));
        break;
      }
      const line = Math.min(...r.failures.keys());
      if (!Number.isFinite(line) && /^Cannot open network namespace/m.test(r.stderr) && rest.every((it) => mode.tolerate?.(it, r.stderr))) {
        out.skipped.push(...rest); // the namespace is gone, and with it everything these lines would change
        break;
      }
      if (!Number.isFinite(line)) {
        // ip died without naming a line (could not enter the namespace, killed…): nothing is known
        out.uncertain.push(...rest);
        hard(rest[0], r.stderr.trim() || `ip exited ${r.code}`);
        return out;
      }
      out.applied.push(...rest.slice(0, line));
      const err = r.failures.get(line) ?? '';
      if (mode.tolerate?.(rest[line], err)) {
        out.skipped.push(rest[line]);
        rest = rest.slice(line + 1);
        continue;
      }
      hard(rest[line], err);
      return out;
    }
  } else {
    for (const it of items) {
      const err = await runSingle(it, opts);
      if (err === undefined) out.applied.push(it);
      else if (mode.tolerate?.(it, err)) out.skipped.push(it);
      else {
        hard(it, err);
        if (!mode.force) return out;
      }
    }
  }
  if (injected >= 0 && !out.failed) hard(unit.items[injected], 'injected failure (test)');
  return out;
}

/** Run one non-batched command; undefined = success, else the error text. */
async function runSingle(c: Command, opts: ExecuteOptions): Promise<string | undefined> {
  const [program, ...args] = c.argv;
  const handler = opts.handlers?.[program];
  if (handler) return handler(c).catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
  const proc = async (argv: string[]) => {
    const r = await runProc(argv, opts);
    return r.code === 0 ? undefined : r.stderr.trim() || `${program} exited ${r.code}`;
  };
  switch (program) {
    case 'ip':
      return proc([programPath('ip'), ...(c.namespace === 'host' ? [] : ['-n', c.namespace]), ...args]);
    case 'sysctl':
      if (c.op.op !== 'sysctl.set') return 'sysctl refused';
      return proc(inNamespace(c.namespace, [programPath('sysctl'), '-q', '-w', `${c.op.key}=${c.op.value}`]));
    case 'iptables':
      return proc(inNamespace(c.namespace, [programPath('iptables'), ...(args.includes('-w') ? [] : ['-w']), ...args]));
    case 'write-file':
      return fileOp(() => {
        const [path, content] = args;
        mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
        const tmp = `${path}.netns-studio-tmp`;
        writeFileSync(tmp, content, { mode: 0o644 });
        renameSync(tmp, path);
      });
    case 'remove-file':
      return fileOp(() => {
        rmSync(args[0]);
        try {
          rmdirSync(dirname(args[0])); // only when empty: /etc/netns/NS made for this file
        } catch {
          /* not empty, or gone */
        }
      });
    case 'forwarder-start': {
      if (!opts.forwarders) return 'no forwarder runtime in this helper';
      if (c.op.op !== 'forwarder.start') return 'forwarder-start refused';
      const fw = Forwarder.parse(c.op.forwarder);
      return opts.forwarders.start(fw).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
    }
    case 'forwarder-stop':
      if (!opts.forwarders) return 'no forwarder runtime in this helper';
      return opts.forwarders.stop(args[0]).then(
        () => undefined,
        (e: unknown) => (e instanceof Error ? e.message : String(e)),
      );
    default:
      return `program ${program} refused`;
  }
}

function fileOp(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * Execute steps. On failure every applied step is undone in reverse order and the
 * result is `{ok:false, error:{code:'step-failed', …, detail:{rolledBack}}}`.
 * Throws `invalid-step` (before touching anything) when a step is refused.
 */
export async function executeSteps(steps: Step[], opts: ExecuteOptions = {}): Promise<ExecuteResult> {
  validateSteps(steps);
  const items: Item[] = steps.map((s, step) => ({ namespace: s.namespace, argv: s.argv, op: s.op, step }));
  const journal = opts.journal;
  const onSpawn = journal ? (pid: number) => journal.write({ t: 'pid', pid }, false) : undefined;
  const runOpts: ExecuteOptions = { ...opts, onSpawn };
  const applied = new Set<number>();
  const uncertain = new Set<number>();
  const skipped = new Set<number>();
  let failure: { item: Item; stderr: string } | undefined;
  let done = 0;
  const tolerate = (it: Item, err: string) =>
    ((opts.tolerateGone === true || (opts.tolerateGone instanceof Set && opts.tolerateGone.has(it.step))) && GONE_RE.test(err)) ||
    (!!opts.tolerateExisting?.has(it.step) && EXISTS_RE.test(err));

  const record = (r: { applied: Item[]; skipped?: Item[]; uncertain: Item[]; failed?: { item: Item; stderr: string } }) => {
    r.applied.forEach((it) => applied.add(it.step));
    (r.skipped ?? []).forEach((it) => (opts.tolerateExisting?.has(it.step) ? applied : skipped).add(it.step));
    r.uncertain.forEach((it) => uncertain.add(it.step));
    const finished = [...r.applied, ...(r.skipped ?? [])];
    if (finished.length) journal?.write({ t: 'done', idx: finished.map((it) => it.step) });
    done += finished.length;
    const lastIt = finished.at(-1);
    if (lastIt) opts.onProgress?.({ phase: 'apply', index: done, total: steps.length, namespace: lastIt.namespace, reason: steps[lastIt.step].reason });
    if (r.failed) failure ??= r.failed;
  };
  const limit = opts.concurrency ?? 4;

  const runLane = async (lane: Unit[]) => {
    for (const unit of lane) {
      if (failure) return;
      if (opts.stepDelayMs) await new Promise((r) => setTimeout(r, opts.stepDelayMs));
      journal?.write({ t: 'run', idx: unit.items.map((it) => it.step) });
      const r = await runUnit(unit, runOpts, { force: false, tolerate, failAt: opts.failAtStep });
      record(r);
      if (r.failed) return;
    }
  };
  const runFan = async (units: Unit[]) => {
    if (opts.stepDelayMs) await new Promise((r) => setTimeout(r, opts.stepDelayMs));
    journal?.write({ t: 'run', idx: units.flatMap((u) => u.items.map((it) => it.step)) });
    // one process for all of them when every line is one the netlink runner speaks (./netlink-lanes.ts)
    const r = netlinkCanRun(units)
      ? await runNetlinkLanes(units, { ...runOpts, failAt: opts.failAtStep })
      : await runFanout(units, { ...runOpts, parallel: Math.max(2, limit), failAt: opts.failAtStep });
    record({ applied: r.applied, uncertain: r.uncertain, failed: r.failures[0] });
  };

  if (!(opts.parallel ?? true)) {
    for (const wave of waves(items, false)) {
      for (const lane of wave) await runLane(lane);
      if (failure) break;
    }
  } else {
    const dispatcher = new Dispatcher(items, HOST_CHUNK);
    const running = new Set<Promise<void>>();
    const finishedSteps = () => new Set([...applied, ...skipped]);
    const launch = (lanes: Item[][], task: () => Promise<void>) => {
      const p: Promise<void> = task().finally(() => {
        const fin = finishedSteps();
        for (const l of lanes) dispatcher.complete(l, fin);
        running.delete(p);
      });
      running.add(p);
    };
    const useFanout = fanoutAvailable();
    let fanRunning = false;
    const debug = envSetting('NETNS_STUDIO_DEBUG_TIMING') === '1';
    const t0 = performance.now();
    const trace = (what: string): void => {
      if (debug) console.error(`${(performance.now() - t0).toFixed(0).padStart(6)} ms ${what}`);
    };
    for (;;) {
      if (!failure) {
        const lanes = dispatcher.take(Math.max(0, (useFanout ? FANOUT_CHUNK + limit : limit) - running.size), running.size === 0);
        // many namespaces with one batch each: start them through xargs (./fanout.ts)
        const fan = useFanout ? lanes.filter((l) => l[0].namespace !== 'host' && unitsOf(l).length === 1 && unitsOf(l)[0].kind === 'ip-batch') : [];
        // one xargs at a time (it runs `limit` processes itself); more would only fight over 2 cores
        const fanMode = fan.length >= FANOUT_MIN;
        const viaFan = fanMode && !fanRunning ? fan.slice(0, FANOUT_CHUNK) : [];
        if (fanMode) for (const l of fan) if (!viaFan.includes(l)) dispatcher.complete(l, new Set());
        if (viaFan.length) {
          const chunk = viaFan;
          fanRunning = true;
          trace(`fanout ${chunk.length} namespaces${netlinkCanRun(chunk.map((l) => unitsOf(l)[0])) ? ' (netlink lanes)' : ' (xargs ip -batch)'}`);
          launch(chunk, () =>
            runFan(chunk.map((l) => unitsOf(l)[0]))
              .then(() => trace(`fanout of ${chunk.length} done`))
              .finally(() => (fanRunning = false)),
          );
        }
        const rest = fanMode ? lanes.filter((l) => !fan.includes(l)) : lanes;
        // lanes beyond the concurrency limit go back for later
        const now = rest.slice(0, Math.max(0, limit - running.size));
        for (const l of rest.slice(now.length)) dispatcher.complete(l, new Set());
        for (const l of now) {
          trace(`lane ${l[0].namespace}: ${l.length} commands`);
          launch([l], () => runLane(unitsOf(l)).then(() => trace(`lane ${l[0].namespace} done`)));
        }
      }
      if (!running.size) break;
      await Promise.race(running);
    }
    if (!failure && !dispatcher.finished) failure = { item: items[0], stderr: 'internal: steps left unscheduled' };
  }

  if (!failure) return { ok: true, applied: [...applied].sort((a, b) => a - b), skipped: [...skipped].sort((a, b) => a - b) };

  journal?.write({ t: 'rollback' });
  const rb = await rollback(steps, [...applied, ...uncertain], opts);
  const failedStep = steps[failure.item.step];
  return {
    ok: false,
    applied: [],
    error: {
      code: 'step-failed',
      message: `step ${failure.item.step + 1} of ${steps.length} failed (${failedStep.reason}): ${failure.stderr || 'error'}; ${rb.errors.length ? 'rollback left errors' : 'everything applied before it was undone'}`,
      detail: {
        index: failure.item.step,
        step: failedStep,
        argv: failedStep.argv,
        op: failedStep.op,
        namespace: failedStep.namespace,
        stderr: failure.stderr,
        rolledBack: rb.errors.length === 0,
        undone: rb.undone,
        rollbackErrors: rb.errors,
      },
    },
  };
}

/** Veth ends an undo re-creates outside the deleted namespaces while the pair had an end inside one: they die late. */
function lingeringLinks(step: Step, deleted: Set<string>): { namespace: string; name: string }[] {
  const out: { namespace: string; name: string }[] = [];
  for (const u of step.undo) {
    if (u.op.op !== 'link.veth') continue;
    const ends = [{ ns: u.op.ns, name: u.op.name }, u.op.peer];
    if (!ends.some((e) => deleted.has(e.ns))) continue;
    for (const e of ends) if (!deleted.has(e.ns)) out.push({ namespace: e.ns, name: e.name });
  }
  return out;
}

export interface RollbackResult {
  /** how many steps were undone */
  undone: number;
  /** undo commands that failed for another reason than "already gone/there" */
  errors: { step: number; argv: string[]; namespace: string; stderr: string }[];
}

/**
 * Undo the given steps in reverse plan order, tolerantly: an object already gone
 * (or, when re-creating, already there) is fine, and one failing undo does not
 * stop the others. Rollback runs sequentially, in exact reverse order.
 */
export async function rollback(steps: Step[], indices: number[], opts: ExecuteOptions = {}): Promise<RollbackResult> {
  const order = [...new Set(indices)].sort((a, b) => b - a);
  // A deleted namespace is freed asynchronously: the far ends of its veths linger a
  // moment. Re-creating them before they are gone would collide with the old ones.
  const deleted = new Set(order.flatMap((i) => (steps[i].op.op === 'netns.del' ? [steps[i].op.name] : [])));
  const lingering = deleted.size ? order.flatMap((i) => lingeringLinks(steps[i], deleted)) : [];
  if (lingering.length) await waitLinksGone(lingering, { wrap: opts.wrap });
  // Namespaces this rollback deletes (it undoes their creation) take along what is
  // inside and the veth pairs with an end inside: no need to undo those one by
  // one (a veth deletion alone costs an RCU grace period, ~30 ms).
  const created = new Set(order.flatMap((i) => (steps[i].op.op === 'netns.add' ? [steps[i].op.name] : [])));
  const goesAlong = (s: Step) => {
    const op = s.op.op;
    if (!created.size || op === 'netns.add' || op === 'netns.del') return false;
    // a veth pair goes when one end's namespace goes (the other end is taken along)
    if (op === 'link.veth') return vethEnds(s).some((e) => created.has(e.namespace));
    // kernel state inside the namespace goes with it; files and forwarders do not
    return created.has(s.namespace) && inKernel(s.op);
  };
  const skippedAlong = order.filter((i) => goesAlong(steps[i]));
  const settleAfter = skippedAlong.flatMap((i) => (steps[i].op.op.startsWith('link.') ? vethEnds(steps[i]).filter((e) => !created.has(e.namespace)) : []));
  const items: Item[] = order.filter((i) => !skippedAlong.includes(i)).flatMap((i) => steps[i].undo.map((u) => ({ ...u, step: i })));
  const remaining = new Map<number, number>();
  for (const it of items) remaining.set(it.step, (remaining.get(it.step) ?? 0) + 1);
  const errors: RollbackResult['errors'] = [];
  const journal = opts.journal;
  const tolerate = (_it: Item, err: string) => GONE_RE.test(err) || EXISTS_RE.test(err);
  let done = 0;
  const total = order.length;
  for (const wave of waves(items, false)) {
    for (const lane of wave) {
      for (const unit of lane) {
        const r = await runUnit(unit, { ...opts, onSpawn: undefined }, { force: true, tolerate });
        for (const f of r.failures) errors.push({ step: f.item.step, argv: f.item.argv, namespace: f.item.namespace, stderr: f.stderr });
        const finished: number[] = [];
        for (const it of unit.items) {
          const left = (remaining.get(it.step) ?? 1) - 1;
          remaining.set(it.step, left);
          if (left === 0) finished.push(it.step);
        }
        if (finished.length) journal?.write({ t: 'undone', idx: finished });
        done += finished.length;
        opts.onProgress?.({ phase: 'rollback', index: done, total, namespace: unit.namespace, reason: steps[unit.items.at(-1)?.step ?? -1]?.reason ?? '' });
      }
    }
  }
  if (skippedAlong.length) journal?.write({ t: 'undone', idx: skippedAlong });
  if (settleAfter.length) await waitLinksGone(settleAfter, { wrap: opts.wrap });
  return { undone: order.length, errors };
}

/** Whether an operation changes kernel state of its namespace (not a file, not a forwarder). */
const inKernel = (op: StepOp) => !op.op.startsWith('dns.') && !op.op.startsWith('forwarder.');

/** Both ends of a veth pair the step creates (or the step's own link). */
function vethEnds(s: Step): { namespace: string; name: string }[] {
  return createdKeys(s).map((k) => ({ namespace: keyNamespace(k) ?? s.namespace, name: k.slice(k.indexOf('/') + 1) }));
}
