/**
 * The work behind `plan`, `apply` and `destroy` (loaded only when one runs, so
 * `--help` stays fast). The CLI runs the helper's apply pipeline in its own
 * process: these commands need root anyway, and it keeps a terminal's progress
 * bar and question local.
 */
import { createInterface } from 'node:readline/promises';
import { formatReadError, readTopologyFile } from './read-topology';
import type { Topology } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import type { ApplyContext } from '../../helper/apply/context';
import type { Progress } from '../../helper/apply/executor';
import { ApplyFailure } from '../../helper/apply/failure';
import { stateDirOf } from '../../helper/apply/journal';
import { recover } from '../../helper/apply/recovery';
import { renderCommand, renderPlan, summaryLine } from '../../helper/apply/render';
import { applyDocument, destroyDocument, planDestroy, planForHost } from '../../helper/apply/pipeline';
import { defaultEngine } from '../../helper/apply/engine';
import type { HostCommandOptions } from './plan';
import { helperForwarders } from '../../helper/forwarders/runtime';

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_CHANGES = 2;

/**
 * Reads and checks FILE, then (only then, so anyone can see what is wrong with a
 * file) makes sure we are root: plan reads every namespace's NAT tables and
 * apply/destroy change the host, which a normal user cannot do halfway safely.
 */
async function loadFile(file: string, command: 'plan' | 'apply' | 'destroy'): Promise<Topology | undefined> {
  const r = await readTopologyFile(file);
  for (const e of r.errors) console.error(formatReadError(e));
  if (!r.ok || !r.doc) {
    const unreadable = r.errors.some((e) => e.code === 'read-failed');
    console.error(`netns-studio ${command}: ${unreadable ? `cannot read ${file}` : `${file} is not a valid topology`}; nothing was changed`);
    return undefined;
  }
  if (process.getuid?.() !== 0) {
    const what = command === 'plan' ? 'reading every network namespace' : 'changing network namespaces';
    console.error(`netns-studio ${command}: ${what} needs root; run it with sudo. Nothing was changed.`);
    return undefined;
  }
  return r.doc;
}

/** The apply context for this run, once an interrupted apply has been dealt with (recoverFirst). */
async function context(opts: HostCommandOptions, onProgress?: (p: Progress) => void): Promise<ApplyContext> {
  const delay = Number(process.env.NETNS_STUDIO_TEST_DELAY_MS ?? 0);
  const ctx: ApplyContext = {
    engine: await defaultEngine(),
    stateDir: stateDirOf(opts.stateDir),
    // forwarder steps run here too; the agents outlive this process (helper/forwarders)
    forwarders: helperForwarders(),
    parallel: !opts.sequential,
    onProgress,
    // test-only: lets the kill test stop the process between steps
    stepDelayMs: Number.isFinite(delay) && delay > 0 ? delay : undefined,
  };
  await recoverFirst(ctx, opts);
  return ctx;
}

/** Before anything else: an interrupted apply is rolled back (or finished). */
async function recoverFirst(ctx: ApplyContext, opts: HostCommandOptions): Promise<void> {
  const rep = await recover(ctx.stateDir!, { mode: opts.finishInterrupted ? 'finish' : 'rollback', forwarders: ctx.forwarders });
  if (rep) {
    console.error(`netns-studio: found an interrupted ${rep.kind} (${rep.journal}): ${rep.outcome === 'finished' ? 'finished it' : rep.outcome === 'committed' ? 'it had completed; saved its record' : `rolled back ${rep.steps} steps`}${rep.errors.length ? `, with ${rep.errors.length} errors: ${JSON.stringify(rep.errors)}` : ''}`);
  }
}

const nothingRecorded = (file: string) => `Nothing to destroy: nothing of ${file} is recorded as created by netns-studio (in this state dir), and objects it did not create are left alone.`;

function report(e: unknown): number {
  if (e instanceof ApplyFailure) {
    console.error(`netns-studio: ${e.failure.message}`);
    const d = e.failure.detail as { argv?: string[]; namespace?: string; stderr?: string; rollbackErrors?: unknown[] } | undefined;
    if (e.failure.code === 'step-failed' && d?.argv && d.namespace) {
      console.error(`  command: ${renderCommand({ namespace: d.namespace, argv: d.argv })}`);
      if (d.stderr) console.error(`  kernel:  ${d.stderr}`);
      if (d.rollbackErrors?.length) console.error(`  rollback errors: ${JSON.stringify(d.rollbackErrors)}`);
    }
    const objects = (e.failure.detail as { objects?: string[] } | undefined)?.objects;
    if (e.failure.code === 'touches-host') {
      const steps = (e.failure.detail as { steps?: { object: string; touchesHost: string }[] } | undefined)?.steps ?? [];
      for (const s of steps) console.error(`  ${s.object}: ${s.touchesHost}`);
      console.error('  nothing was changed; to let apply make these host changes, add: --allow-host');
    }
    if (e.failure.code === 'unmanaged' && objects?.length) {
      console.error(`  nothing was changed; to let apply change them, add: --allow ${[...new Set(objects)].join(' ')}`);
    }
    return EXIT_ERROR;
  }
  console.error(`netns-studio: ${e instanceof Error ? e.message : String(e)}`);
  return EXIT_ERROR;
}

function printPlan(steps: Step[], json: boolean | undefined, extra: Record<string, unknown>): void {
  if (json) {
    console.log(JSON.stringify({ ...extra, steps }, null, 2));
    return;
  }
  if (steps.length) console.log(renderPlan(steps, { color: process.stdout.isTTY }));
  console.log(summaryLine(steps));
}

export async function runPlan(file: string, opts: HostCommandOptions & { destroy?: boolean }): Promise<number> {
  const doc = await loadFile(file, 'plan');
  if (!doc) return EXIT_ERROR;
  try {
    const ctx = await context(opts);
    const plan = opts.destroy ? planDestroy(doc, ctx) : await planForHost(doc, ctx);
    if (opts.destroy && !plan.steps.length && !opts.json) {
      // "the host matches the document" would be wrong here: nothing is recorded, so destroy has nothing to remove
      console.log(nothingRecorded(file));
      return EXIT_OK;
    }
    printPlan(plan.steps, opts.json, { planHash: plan.planHash, summary: plan.summary });
    return plan.steps.length ? EXIT_CHANGES : EXIT_OK;
  } catch (e) {
    return report(e);
  }
}

async function confirm(question: string, opts: HostCommandOptions): Promise<boolean> {
  if (opts.yes) return true;
  if (!process.stdin.isTTY) {
    console.error('netns-studio: not asking without a terminal; pass --yes to go ahead. Nothing was changed.');
    return false;
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const yes = /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    if (!yes) console.error('netns-studio: not confirmed; nothing was changed.');
    return yes;
  } finally {
    rl.close();
  }
}

/** A bar on a terminal, plain lines otherwise (logs, CI, tests that watch progress). */
function progressPrinter(): { onProgress: (p: Progress) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    onProgress: (p) => {
      const what = `${p.phase === 'rollback' ? 'rolling back: ' : ''}${p.reason ?? p.namespace ?? ''}`;
      if (!tty) {
        console.log(`[${p.done}/${p.total}] ${what}`);
        return;
      }
      const width = 30;
      const full = Math.round((p.done / Math.max(1, p.total)) * width);
      const cols = process.stderr.columns ?? 100;
      const line = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${p.done}/${p.total} ${what}`;
      process.stderr.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
      drawn = true;
    },
    end: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

export async function runApply(file: string, opts: HostCommandOptions): Promise<number> {
  const doc = await loadFile(file, 'apply');
  if (!doc) return EXIT_ERROR;
  const progress = progressPrinter();
  try {
    const ctx = await context(opts, progress.onProgress);
    const plan = await planForHost(doc, ctx);
    printPlan(plan.steps, opts.json, { planHash: plan.planHash, summary: plan.summary });
    if (!plan.steps.length) return EXIT_OK;
    if (!(await confirm(`Apply these ${plan.steps.length} steps?`, opts))) return EXIT_ERROR;
    const r = await applyDocument(doc, { planHash: plan.planHash, allow: opts.allow, allowHost: opts.allowHost === true }, ctx);
    progress.end();
    console.log(`Applied ${r.applied} steps in ${(r.durationMs / 1000).toFixed(2)} s.`);
    if (!r.matches) {
      console.error(`netns-studio: the host still differs from ${file} after applying; a fresh plan has ${r.remaining.length} steps:`);
      console.error(renderPlan(r.remaining));
      return EXIT_ERROR;
    }
    console.log(`The host matches ${file}.`);
    return EXIT_OK;
  } catch (e) {
    progress.end();
    return report(e);
  }
}

export async function runDestroy(file: string, opts: HostCommandOptions): Promise<number> {
  const doc = await loadFile(file, 'destroy');
  if (!doc) return EXIT_ERROR;
  const progress = progressPrinter();
  try {
    const ctx = await context(opts, progress.onProgress);
    const plan = planDestroy(doc, ctx);
    if (!plan.steps.length) {
      if (opts.json) printPlan(plan.steps, true, { planHash: plan.planHash, summary: plan.summary });
      else console.log(nothingRecorded(file));
      return EXIT_OK;
    }
    printPlan(plan.steps, opts.json, { planHash: plan.planHash, summary: plan.summary });
    if (!(await confirm(`Destroy: run these ${plan.steps.length} steps?`, opts))) return EXIT_ERROR;
    const r = await destroyDocument(doc, { planHash: plan.planHash }, ctx);
    progress.end();
    console.log(`Destroyed in ${(r.durationMs / 1000).toFixed(2)} s (${r.applied} steps run, ${r.skipped} already gone).`);
    return EXIT_OK;
  } catch (e) {
    progress.end();
    return report(e);
  }
}
