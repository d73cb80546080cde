/**
 * plan → apply → destroy for one document against this host:
 *
 *   plan:    validate, check kernel features, discover fresh, plan, mark steps on
 *            objects we do not own, hash (steps + observed facts).
 *   apply:   re-plan; refuse when the hash differs (the host changed since the
 *            person saw the plan) or an unmanaged step, or one that touches the
 *            host (host routes/NAT, forwarders open to the network), is not
 *            explicitly allowed;
 *            execute under a journal; record ownership; re-plan to confirm.
 *   destroy: undo, in reverse, what applying this document created (ownership
 *            log), tolerating objects already gone; transactional like apply.
 */
import { createHash } from 'node:crypto';
import { Topology } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import { markHostExposure } from '../../shared/plan/host-exposure';
import { validateTopology } from '../../shared/validate/validate';
import { destroySteps, linksLeavingWith, linksLeavingWithNamespaces, markUnmanaged, recordApplied, recordDestroyed } from '../ownership/ledger';
import { loadOwnership, saveOwnership, type Ownership } from '../ownership/store';
import type { ApplyContext } from './context';
import { executeSteps, type ExecuteOptions } from './executor';
import { ApplyFailure, fail } from './failure';
import { probeFeatures, requireFeatures } from './features';
import { Journal, stateDirOf } from './journal';
import { validateSteps } from './validate-step';
import { waitLinksGone } from './settle';

export interface PlanSummary {
  create: number;
  change: number;
  delete: number;
  unmanaged: number;
}

export interface PlanResult {
  steps: Step[];
  /** indices of steps that remove objects we created and the document no longer has: already gone is fine */
  removals: number[];
  planHash: string;
  summary: PlanSummary;
}

export interface ApplyResult {
  ok: true;
  applied: number;
  skipped: number;
  /** true when a fresh plan after applying is empty: the host matches the document */
  matches: boolean;
  /** steps still planned after applying (should be none) */
  remaining: Step[];
  durationMs: number;
}

export interface ApplyOptions {
  /** the hash of the plan the person saw; apply refuses when the host has changed since */
  planHash?: string;
  /** object keys of unmanaged objects the person explicitly allows apply to change or delete */
  allow?: string[];
  /** the person explicitly allows the steps that touch the host (`touchesHost`: its routes, NAT, forwarders open to the network) */
  allowHost?: boolean;
}

/** Documents `checkDocument` already passed (on the check thread, check-worker.ts): not checked twice. */
const checked = new WeakSet<object>();
export function markChecked(doc: Topology): Topology {
  checked.add(doc);
  return doc;
}

/** Parse and validate a document; `invalid-document` with the issues otherwise. */
export function checkDocument(document: unknown): Topology {
  if (typeof document === 'object' && document !== null && checked.has(document)) return document as Topology;
  const parsed = Topology.safeParse(document);
  if (!parsed.success) {
    fail('invalid-document', `the document does not match the schema: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).slice(0, 5).join('; ')}`, { issues: parsed.error.issues });
  }
  const issues = validateTopology(parsed.data).filter((i) => i.severity === 'error');
  if (issues.length) {
    fail('invalid-document', `the document is invalid: ${issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`, { issues });
  }
  return parsed.data;
}

function summarize(steps: Step[]): PlanSummary {
  const s: PlanSummary = { create: 0, change: 0, delete: 0, unmanaged: 0 };
  for (const st of steps) {
    s[st.action]++;
    if (st.unmanaged) s.unmanaged++;
  }
  return s;
}

/**
 * sha256 over the steps and the observed facts they were planned against. Plain
 * JSON: both come out of the same deterministic code for the same host and
 * document (same keys in the same order), and sorting keys cost a tenth of a
 * second at 500 namespaces.
 */
export function planHashOf(steps: Step[], facts: unknown): string {
  return createHash('sha256').update(JSON.stringify({ steps, facts })).digest('hex');
}

/** NETNS_STUDIO_DEBUG_TIMING=1: where a plan's time goes, on stderr (bench:apply profiles with it). */
const timing = process.env.NETNS_STUDIO_DEBUG_TIMING === '1';
function lap(): (what: string) => void {
  let t = performance.now();
  return (what) => {
    if (!timing) return;
    const now = performance.now();
    console.error(`  ${(now - t).toFixed(0).padStart(5)} ms ${what}`);
    t = now;
  };
}

async function planChecked(doc: Topology, ctx: ApplyContext): Promise<PlanResult> {
  const mark = lap();
  requireFeatures(doc, ctx.features ?? (await probeFeatures()));
  mark('features');
  const stateDir = stateDirOf(ctx.stateDir);
  const { observed, facts } = await ctx.engine.discover(ctx, doc);
  mark('discover');
  const ownership = loadOwnership(stateDir);
  // What we created and the document no longer has goes first, undone exactly as
  // destroy would (with its rollback); then what the document wants.
  const wanted = ctx.engine.buildKeys(doc);
  const removed = new Set(ownership.log.filter((e) => !wanted.has(e.key)).map((e) => e.key));
  const removals = removed.size ? destroySteps(ownership, removed).filter((s) => !wanted.has(s.object)) : [];
  mark('ownership, build keys, removals');
  const planned = ctx.engine.plan(doc, observed, new Set(ownership.owned), removals);
  mark(`plan (${planned.length} steps)`);
  const steps = markHostExposure(markUnmanaged(planned, ownership), doc);
  validateSteps(steps);
  mark('mark unmanaged, validate');
  const planHash = planHashOf(steps, { facts, owned: ownership.owned });
  mark('hash');
  return { steps, removals: removals.map((_, i) => i), planHash, summary: summarize(steps) };
}

export async function planForHost(document: unknown, ctx: ApplyContext): Promise<PlanResult> {
  return planChecked(checkDocument(document), ctx);
}

function execOptions(ctx: ApplyContext, journal: Journal): ExecuteOptions {
  return {
    journal, wrap: ctx.wrap, forwarders: ctx.forwarders, handlers: ctx.handlers, parallel: ctx.parallel, concurrency: ctx.concurrency,
    failAtStep: ctx.failAtStep, stepDelayMs: ctx.stepDelayMs, onProgress: ctx.onProgress,
  };
}

/** One apply or destroy at a time in this process (the journal file guards across processes). */
let busy = false;
async function exclusive<T>(fn: () => Promise<T>): Promise<T> {
  if (busy) fail('busy', 'another apply or destroy is running');
  busy = true;
  try {
    return await fn();
  } finally {
    busy = false;
  }
}

function deletedNamespaces(steps: Step[]): Set<string> {
  return new Set(steps.filter((s) => s.argv[0] === 'ip' && s.argv[1] === 'netns' && (s.argv[2] === 'del' || s.argv[2] === 'delete')).map((s) => s.argv[3]));
}

/**
 * Execute `plan` under a journal (apply and destroy alike); on success commit and
 * save the ownership `record` derives from what is owned now and the steps that ran.
 */
async function executeJournaled(
  ctx: ApplyContext,
  kind: 'apply' | 'destroy',
  plan: { steps: Step[]; planHash: string },
  tolerateGone: ExecuteOptions['tolerateGone'],
  record: (owned: Ownership, applied: number[]) => Ownership,
): Promise<{ applied: number[]; skipped: number[] }> {
  const stateDir = stateDirOf(ctx.stateDir);
  const journal = Journal.begin(stateDir, kind, plan.steps, { planHash: plan.planHash });
  let r;
  try {
    r = await executeSteps(plan.steps, { ...execOptions(ctx, journal), tolerateGone });
  } catch (e) {
    journal.finish();
    throw e;
  }
  if (!r.ok) {
    journal.finish();
    throw new ApplyFailure(r.error);
  }
  const ownership = record(loadOwnership(stateDir), r.applied);
  journal.write({ t: 'commit', ownership });
  saveOwnership(stateDir, ownership);
  journal.finish();
  return r;
}

export async function applyDocument(document: unknown, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  const doc = checkDocument(document);
  return exclusive(async () => {
    const t0 = performance.now();
    const plan = await planChecked(doc, ctx);
    if (opts.planHash !== undefined && opts.planHash !== plan.planHash) {
      fail('plan-stale', 'the host changed since this plan was made: plan again and review the new steps', { expected: opts.planHash, actual: plan.planHash });
    }
    const allowed = new Set(opts.allow ?? []);
    const refused = plan.steps.filter((s) => s.unmanaged && !allowed.has(s.object));
    if (refused.length) {
      fail('unmanaged', `the plan would ${refused.length === 1 ? 'change an object' : `change ${refused.length} objects`} this product did not create (${[...new Set(refused.map((s) => s.object))].slice(0, 5).join(', ')}); name ${refused.length === 1 ? 'it' : 'them'} explicitly to allow it`, { objects: refused.map((s) => s.object) });
    }
    const hostSteps = plan.steps.filter((s) => s.touchesHost);
    if (hostSteps.length && !opts.allowHost) {
      fail('touches-host', `the plan has ${hostSteps.length === 1 ? 'a step' : `${hostSteps.length} steps`} that touch the host (${hostSteps.slice(0, 3).map((s) => `${s.object}: ${s.touchesHost}`).join('; ')}${hostSteps.length > 3 ? '; …' : ''}); allow host changes explicitly to apply it`, { steps: hostSteps.map((s) => ({ object: s.object, touchesHost: s.touchesHost })) });
    }
    if (!plan.steps.length) return { ok: true, applied: 0, skipped: 0, matches: true, remaining: [], durationMs: performance.now() - t0 };
    let leaving: { namespace: string; name: string }[] = [];
    const r = await executeJournaled(ctx, 'apply', plan, new Set(plan.removals), (owned, applied) => {
      // veth ends whose peer sat in a namespace this apply deleted vanish a moment later (the kernel frees namespaces asynchronously)
      leaving = linksLeavingWithNamespaces(owned, deletedNamespaces(plan.steps));
      return recordApplied(owned, plan.steps, applied);
    });
    if (leaving.length) await waitLinksGone(leaving, { wrap: ctx.wrap });
    const durationMs = performance.now() - t0;
    const after = await planChecked(doc, ctx);
    return { ok: true, applied: r.applied.length, skipped: r.skipped.length, matches: after.steps.length === 0, remaining: after.steps, durationMs };
  });
}

export interface DestroyPlan {
  steps: Step[];
  removals: number[];
  /** links outside the deleted namespaces that the kernel removes with them, a moment later */
  leaving: { namespace: string; name: string }[];
  planHash: string;
  summary: PlanSummary;
}

/** What destroy would run: the undo of what applying this document created. */
export function planDestroy(document: unknown, ctx: ApplyContext): DestroyPlan {
  const doc = checkDocument(document);
  const ownership = loadOwnership(stateDirOf(ctx.stateDir));
  const keys = ctx.engine.buildKeys(doc);
  const steps = destroySteps(ownership, keys);
  validateSteps(steps);
  return { steps, removals: [], leaving: linksLeavingWith(ownership, keys), planHash: planHashOf(steps, { owned: ownership.owned }), summary: summarize(steps) };
}

export async function destroyDocument(document: unknown, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  const doc = checkDocument(document);
  return exclusive(async () => {
    const t0 = performance.now();
    const mark = lap();
    const plan = planDestroy(doc, ctx);
    mark(`destroy plan (${plan.steps.length} steps)`);
    if (opts.planHash !== undefined && opts.planHash !== plan.planHash) {
      fail('plan-stale', 'what this product owns changed since this plan was made: plan again', { expected: opts.planHash, actual: plan.planHash });
    }
    if (!plan.steps.length) return { ok: true, applied: 0, skipped: 0, matches: true, remaining: [], durationMs: performance.now() - t0 };
    const r = await executeJournaled(ctx, 'destroy', plan, true, (owned) => recordDestroyed(owned, ctx.engine.buildKeys(doc)));
    mark('journal, execute, record ownership');
    const settled = await waitLinksGone(plan.leaving, { wrap: ctx.wrap });
    mark(`wait for the kernel to free ${plan.leaving.length} links`);
    return { ok: true, applied: r.applied.length, skipped: r.skipped.length, matches: settled, remaining: [], durationMs: performance.now() - t0 };
  });
}

