/**
 * The work behind `plan`, `apply` and `destroy` (loaded only when one runs, so
 * `--help` stays fast). The CLI runs the helper's apply pipeline in its own
 * process, through the same entry as the helper's methods (helper/apply/entry.ts):
 * these commands need root anyway, and it keeps a terminal's progress bar and
 * question local.
 */
import { createInterface } from 'node:readline/promises';
import { resolve } from 'node:path';
import { formatReadError, readTopologyFile } from './read-topology';
import type { Topology } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import { commandText, renderPlan, summaryLine } from '../../shared/plan/render';
import type { StepOp } from '../../shared/model/step-op';
import type { TopologyIdentity } from '../../shared/model/topology-name';
import type { HostCommandOptions } from './host-options';
import { describeState, type ObjectCounts } from '../../shared/model/topology-status';
import {
  ApplyFailure,
  applyContext,
  applyDocument,
  destroyTopology,
  listTopologies,
  markChecked,
  planDestroyOf,
  planForHost,
  recoverInterrupted,
  topologyStatus,
  type ApplyContext,
  type DestroyPlan,
  type DestroyTarget,
  type PipelinePlan,
  type PlanWarning,
  type Readiness,
} from '../../helper/apply/entry';
import type { ApplyProgress } from '../../shared/protocol/methods';

const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_CHANGES = 2;
/** apply: done and matching, but not everything it brought up was usable within the wait */
const EXIT_NOT_READY = 3;

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
  // checkTopologyText ran the schema and the semantic rules: the pipeline does not run them again
  return markChecked(r.doc);
}

/** The apply context for this run (the helper's apply entry, as the app's), once an interrupted apply has been dealt with (recoverFirst). */
async function context(opts: HostCommandOptions, onProgress?: (p: ApplyProgress) => void): Promise<ApplyContext> {
  const ctx = await applyContext({ stateDir: opts.stateDir, parallel: !opts.sequential, onProgress });
  await recoverFirst(ctx, opts);
  return ctx;
}

/** Before anything else: an interrupted apply is rolled back (or finished). */
async function recoverFirst(ctx: ApplyContext, opts: HostCommandOptions): Promise<void> {
  const rep = await recoverInterrupted({ stateDir: ctx.stateDir, mode: opts.finishInterrupted ? 'finish' : 'rollback', forwarders: ctx.forwarders });
  if (rep) {
    console.error(
      `netns-studio: found an interrupted ${rep.kind} (${rep.journal}): ${rep.outcome === 'finished' ? 'finished it' : rep.outcome === 'committed' ? 'it had completed; saved its record' : `rolled back ${rep.steps} steps`}${rep.errors.length ? `, with ${rep.errors.length} errors: ${JSON.stringify(rep.errors)}` : ''}`,
    );
  }
}

const nothingRecorded = (what: string) =>
  `Nothing to destroy: nothing of ${what} is recorded as created by netns-studio (in this state dir), and objects it did not create are left alone.`;

function report(e: unknown): number {
  if (e instanceof ApplyFailure) {
    console.error(`netns-studio: ${e.failure.message}`);
    const d = e.failure.detail as { op?: StepOp; stderr?: string; rollbackErrors?: unknown[] } | undefined;
    if (e.failure.code === 'step-failed' && d?.op) {
      console.error(`  command: ${commandText({ op: d.op })}`);
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

/** On stderr, so `--json` output stays one document (the warnings are in it too). */
function printWarnings(warnings: PlanWarning[]): void {
  for (const w of warnings) console.error(`netns-studio: warning: ${w.message}`);
}

/** The file as recorded: absolute, so `list` says where a topology came from wherever it is run. */
const sourceOf = (file: string) => (file === '-' ? {} : { file: resolve(file) });

function printPlan(steps: Step[], json: boolean | undefined, extra: Record<string, unknown> & { topology?: TopologyIdentity; notes?: string[] }): void {
  if (json) {
    console.log(JSON.stringify({ ...extra, steps }, null, 2));
    return;
  }
  if (extra.topology) console.log(`Topology "${extra.topology.name}"${extra.topology.file ? ` (${extra.topology.file})` : ''}`);
  for (const n of extra.notes ?? []) console.log(`Note: ${n}`);
  if (steps.length) console.log(renderPlan(steps, { color: process.stdout.isTTY }));
  console.log(summaryLine(steps));
}

const planExtra = (p: { planHash: string; summary: unknown; topology: TopologyIdentity; notes: string[]; warnings?: PlanWarning[] }) => ({
  planHash: p.planHash,
  summary: p.summary,
  topology: p.topology,
  notes: p.notes,
  ...(p.warnings ? { warnings: p.warnings } : {}),
});

export async function runPlan(file: string, opts: HostCommandOptions & { destroy?: boolean }): Promise<number> {
  const doc = await loadFile(file, 'plan');
  if (!doc) return EXIT_ERROR;
  try {
    const ctx = await context(opts);
    const plan = opts.destroy ? planDestroyOf({ document: doc, ...sourceOf(file) }, ctx) : await planForHost(doc, ctx, sourceOf(file));
    if ('warnings' in plan) printWarnings(plan.warnings);
    if (opts.destroy && !plan.steps.length && !opts.json) {
      // "the host matches the document" would be wrong here: nothing is recorded, so destroy has nothing to remove
      console.log(nothingRecorded(file));
      return EXIT_OK;
    }
    printPlan(plan.steps, opts.json, planExtra(plan));
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
function progressPrinter(): { onProgress: (p: ApplyProgress) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let drawn = false;
  return {
    onProgress: (p) => {
      const what = `${p.phase === 'rollback' ? 'rolling back: ' : ''}${p.reason || p.namespace || ''}`;
      if (!tty) {
        console.log(`[${p.index}/${p.total}] ${what}`);
        return;
      }
      const width = 30;
      const full = Math.round((p.index / Math.max(1, p.total)) * width);
      const cols = process.stderr.columns ?? 100;
      const line = `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${p.index}/${p.total} ${what}`;
      process.stderr.write(`\r\x1b[K${line.slice(0, cols - 1)}`);
      drawn = true;
    },
    end: () => {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

export async function runApply(file: string, opts: HostCommandOptions): Promise<number> {
  const readyTimeoutMs = waitTimeoutMs(opts.waitTimeout);
  if (readyTimeoutMs === null) return EXIT_ERROR;
  const doc = await loadFile(file, 'apply');
  if (!doc) return EXIT_ERROR;
  const progress = progressPrinter();
  try {
    const ctx = await context(opts, progress.onProgress);
    let shown: PipelinePlan | undefined;
    const show = (plan: PipelinePlan) => {
      shown = plan;
      printWarnings(plan.warnings);
      printPlan(plan.steps, opts.json, planExtra(plan));
    };
    if (!opts.yes) {
      // the person reads this plan before saying yes: apply refuses if the host changed since (planHash)
      const plan = await planForHost(doc, ctx, sourceOf(file));
      show(plan);
      if (!plan.steps.length) {
        // nothing to run; the record still learns what went (objects gone) and from which file it was applied
        await applyDocument(doc, { planHash: plan.planHash, allow: opts.allow, ...sourceOf(file) }, ctx);
        return EXIT_OK;
      }
      if (!(await confirm(`Apply these ${plan.steps.length} steps?`, opts))) return EXIT_ERROR;
    }
    // --yes: nobody reads the plan first, so apply's own plan is the one printed (the host is read and planned once)
    const r = await applyDocument(
      doc,
      {
        planHash: shown?.planHash,
        allow: opts.allow,
        allowHost: opts.allowHost === true,
        ...sourceOf(file),
        wait: opts.wait !== false,
        readyTimeoutMs,
        ...(shown ? {} : { onPlan: show }),
      },
      ctx,
    );
    if (!shown?.steps.length) return EXIT_OK; // nothing ran
    progress.end();
    console.log(`Applied ${r.applied} steps in ${(r.durationMs / 1000).toFixed(2)} s.`);
    if (!r.matches) {
      console.error(`netns-studio: the host still differs from ${file} after applying; a fresh plan has ${r.remaining.length} steps:`);
      console.error(renderPlan(r.remaining));
      return EXIT_ERROR;
    }
    console.log(`The host matches ${file}.`);
    return r.readiness ? reportReadiness(r.readiness) : EXIT_OK;
  } catch (e) {
    progress.end();
    return report(e);
  }
}

/** `--wait-timeout` in ms (undefined: the default); null after saying what is wrong with it. */
function waitTimeoutMs(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  const s = Number(text);
  if (!Number.isFinite(s) || s < 0 || s > 600) {
    console.error(`netns-studio apply: --wait-timeout ${JSON.stringify(text)}: expected seconds between 0 and 600; nothing was changed`);
    return null;
  }
  return Math.round(s * 1000);
}

function reportReadiness(r: Readiness): number {
  for (const h of r.heldDown) console.error(`netns-studio: note: ${h.object}: ${h.reason}`);
  if (r.ready) {
    if (r.checked) console.log(`The network is usable (${r.checked} links, ports, addresses and forwarders ready after ${(r.waitedMs / 1000).toFixed(2)} s).`);
    return EXIT_OK;
  }
  console.error(`netns-studio: warning: not usable after waiting ${(r.waitedMs / 1000).toFixed(2)} s (${r.notReady.length} of ${r.checked}):`);
  for (const n of r.notReady) console.error(`  ${n.object}: ${n.reason}`);
  return EXIT_NOT_READY;
}

/** `destroy FILE` or `destroy --name NAME`: everything the topology's record lists, undone in reverse. */
export async function runDestroy(file: string | undefined, opts: HostCommandOptions & { name?: string }): Promise<number> {
  let target: DestroyTarget;
  if (file !== undefined && opts.name !== undefined) {
    console.error('netns-studio destroy: give a FILE or --name NAME, not both. Nothing was changed.');
    return EXIT_ERROR;
  }
  if (file !== undefined) {
    const doc = await loadFile(file, 'destroy');
    if (!doc) return EXIT_ERROR;
    target = { document: doc, ...sourceOf(file) };
  } else if (opts.name !== undefined) {
    if (!needRoot('destroy')) return EXIT_ERROR;
    target = { name: opts.name };
  } else {
    console.error('netns-studio destroy: give the topology FILE, or --name NAME (netns-studio list shows the names). Nothing was changed.');
    return EXIT_ERROR;
  }
  const what = file ?? `topology ${opts.name}`;
  const progress = progressPrinter();
  const show = (plan: DestroyPlan) => {
    if (!plan.steps.length) {
      if (opts.json) printPlan(plan.steps, true, planExtra(plan));
      else console.log(nothingRecorded(what));
    } else printPlan(plan.steps, opts.json, planExtra(plan));
  };
  try {
    const ctx = await context(opts, progress.onProgress);
    let shown: DestroyPlan | undefined;
    if (!opts.yes) {
      const plan = planDestroyOf(target, ctx);
      show(plan);
      // nothing to run: destroy still clears a record that lists nothing
      if (plan.steps.length && !(await confirm(`Destroy: run these ${plan.steps.length} steps?`, opts))) return EXIT_ERROR;
      shown = plan;
    }
    // --yes: nobody reads the plan first, so destroy's own plan is the one printed (planned once)
    const r = await destroyTopology(target, shown ? { planHash: shown.planHash } : { onDestroyPlan: (plan) => show((shown = plan)) }, ctx);
    if (!shown?.steps.length) return EXIT_OK;
    progress.end();
    console.log(`Destroyed topology "${r.topology}" in ${(r.durationMs / 1000).toFixed(2)} s (${r.applied} steps run, ${r.skipped} already gone).`);
    return EXIT_OK;
  } catch (e) {
    progress.end();
    return report(e);
  }
}

function needRoot(command: string): boolean {
  if (process.getuid?.() === 0) return true;
  console.error(`netns-studio ${command}: reading the records and every network namespace needs root; run it with sudo. Nothing was changed.`);
  return false;
}

/** `list`: every applied topology and how it stands. */
export async function runList(opts: HostCommandOptions & { format?: 'text' | 'json' }): Promise<number> {
  if (!needRoot('list')) return EXIT_ERROR;
  try {
    const ctx = await context(opts);
    const list = await listTopologies(ctx);
    if (opts.format === 'json') {
      console.log(JSON.stringify(list, null, 2));
      return EXIT_OK;
    }
    if (!list.length) {
      console.log(`No topology is applied (state dir ${ctx.stateDir}).`);
      return EXIT_OK;
    }
    const rows = list.map((t) => [t.name, t.file ?? (t.migratedFrom ? '(previous version)' : '-'), t.appliedAt ?? '-', describeState(t), countsText(t.counts)]);
    console.log(table([['NAME', 'FILE', 'APPLIED AT', 'STATUS', 'OBJECTS'], ...rows]));
    for (const t of list) for (const p of t.problems) console.error(`netns-studio: ${t.name}: ${p}`);
    return EXIT_OK;
  } catch (e) {
    return report(e);
  }
}

/** `status NAME`: one topology: where it came from, how it stands, what drifted, its history. */
export async function runStatus(name: string, opts: HostCommandOptions & { format?: 'text' | 'json' }): Promise<number> {
  if (!needRoot('status')) return EXIT_ERROR;
  try {
    const ctx = await context(opts);
    const s = await topologyStatus(name, ctx);
    if (opts.format === 'json') {
      console.log(JSON.stringify(s, null, 2));
      return EXIT_OK;
    }
    console.log(`Topology "${s.name}": ${describeState(s)}`);
    console.log(`  file:          ${s.file ?? (s.migratedFrom ? `none (made from the previous version's record, kept at ${s.migratedFrom})` : '-')}`);
    console.log(`  applied at:    ${s.appliedAt ?? '-'}${s.firstAppliedAt && s.firstAppliedAt !== s.appliedAt ? ` (first ${s.firstAppliedAt})` : ''}`);
    console.log(`  objects:       ${countsText(s.counts)}`);
    if (s.drift === undefined) console.log('  drift:         unknown (no document recorded; only presence checked)');
    for (const k of s.gone) console.log(`  gone:          ${k} (removed outside netns-studio)`);
    for (const p of s.problems) console.log(`  problem:       ${p}`);
    if (s.steps.length) {
      console.log('A fresh plan of the document last applied:');
      console.log(renderPlan(s.steps, { color: process.stdout.isTTY }));
    }
    for (const h of s.history.slice(-5))
      console.log(
        `  history:       ${h.at} ${h.action}${h.steps !== undefined ? ` (${h.steps} steps)` : ''}${h.file ? ` from ${h.file}` : ''}${h.note ? `: ${h.note}` : ''}`,
      );
    return EXIT_OK;
  } catch (e) {
    return report(e);
  }
}

function countsText(c: ObjectCounts): string {
  const parts = [
    [c.namespaces, 'namespaces'],
    [c.links, 'links'],
    [c.addresses, 'addresses'],
    [c.routes, 'routes'],
    [c.other, 'other'],
  ] as const;
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, w]) => `${n} ${w}`)
      .join(', ') || 'none'
  );
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}
