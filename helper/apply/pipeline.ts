/**
 * plan → apply → destroy for one topology (a document and its record) on this host:
 *
 *   plan:    validate, check kernel features, find the topology's record and
 *            refuse objects of other topologies (./topology-scope.ts), discover
 *            fresh, reconcile the record with the host (what is gone is
 *            forgotten), plan, mark steps on objects of no topology, hash
 *            (steps + observed facts + record).
 *   apply:   re-plan; refuse when the hash differs (the host changed since the
 *            person saw the plan) or an unmanaged step, or one that touches the
 *            host (host routes/NAT, forwarders open to the network), is not
 *            explicitly allowed;
 *            execute under a journal; record ownership; re-plan to confirm.
 *   destroy: undo, in reverse, what the topology's record lists, tolerating
 *            objects already gone; transactional like apply.
 */
import { createHash } from 'node:crypto';
import { API_VERSION, HOST_NS, KIND, Topology } from '../../shared/model/schema';
import { checkTopologyName, topologyIdentity, type TopologyIdentity } from '../../shared/model/topology-name';
import type { PlanResult, PlanSummary as WirePlanSummary } from '../../shared/protocol/methods';
import type { Step } from '../../shared/model/step';
import { markHostExposure } from '../../shared/plan/host-exposure';
import { validateTopology } from '../../shared/validate/validate';
import { destroySteps, linksLeavingWith, linksLeavingWithNamespaces, markUnmanaged, recordApplied, recordDestroyed } from '../ownership/ledger';
import { saveOwnership, type Ownership } from '../ownership/store';
import { claimsOf, namespacesOfRecord, presenceIn, reconcile, splitOwnership } from '../ownership/scope';
import { isApplied, listRecords, noteApplied, noteDestroyed, readRecord, type TopologyRecord } from '../ownership/topologies';
import { ownerOf, problemNotes, refuseBorrowedName, refuseClaims, scope, type TopologySource } from './topology-scope';
import { namespacesOf } from './observe';
import type { ApplyContext } from './context';
import { executeSteps, type ExecuteOptions } from './executor';
import { ApplyFailure, fail } from './failure';
import { recordedExternals, withExternals } from './externals';
import { requireFeaturesOf } from './features';
import { Journal, stateDirOf } from './journal';
import { validateSteps } from './validate-step';
import { waitLinksGone } from './settle';
import { namedTarget } from '../discover/targets';
import type { RecentReads } from '../discover/index';
import { waitReady, type Readiness } from './ready';
import type { PlanWarning } from './host-firewall';
import { readinessExpectation } from '../../shared/plan/readiness';
import { envSetting } from '../env-overrides';

/** The protocol's summary (shared/protocol/methods.ts) before the method adds `total`. */
export type PlanSummary = Omit<WirePlanSummary, 'total'>;

/**
 * The protocol's PlanResult (shared/protocol/methods.ts: planHash, steps, topology,
 * notes) as the pipeline keeps it, with what apply needs besides; the `plan` method
 * (helper/methods/plan.ts) sends the protocol's part.
 */
export interface PipelinePlan extends Omit<PlanResult, 'summary' | 'warnings'> {
  summary: PlanSummary;
  /** indices of steps that remove objects we created and the document no longer has: already gone is fine */
  removals: number[];
  /** what the person should know about the host before applying (./host-firewall.ts) */
  warnings: PlanWarning[];
  /** recorded objects found gone from the host: forgotten, re-created when the document has them */
  gone: string[];
  /** this topology's record, reconciled with the host: what apply records onto */
  ownership: Ownership;
  recordDir: string;
  handover?: { from: TopologyRecord; rest: Ownership };
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
  /** after the steps: what became usable (carrier, forwarding ports, IPv6 past DAD, forwarders); absent when not waited for */
  readiness?: Readiness;
  /** the topology applied or destroyed */
  topology: string;
}

export type { TopologySource } from './topology-scope';

export interface ApplyOptions extends TopologySource {
  /** the hash of the plan the person saw; apply refuses when the host has changed since */
  planHash?: string;
  /** object keys of unmanaged objects the person explicitly allows apply to change or delete */
  allow?: string[];
  /** the person explicitly allows the steps that touch the host (`touchesHost`: its routes, NAT, forwarders open to the network) */
  allowHost?: boolean;
  /** wait until what the apply brought up is usable (default true; see ./ready.ts) */
  wait?: boolean;
  /** bound of that wait (default DEFAULT_READY_TIMEOUT_MS) */
  readyTimeoutMs?: number;
  /**
   * Shown the plan apply makes, before any refusal and before a step runs: the
   * CLI's `apply --yes` prints it from here instead of planning once more to
   * show it (no planHash then: nobody saw an earlier plan). Never from a request.
   */
  onPlan?: (plan: PipelinePlan) => void;
  /** destroy's `onPlan`: the CLI's `destroy --yes` prints the destroy plan from here (destroy plans once). Never from a request. */
  onDestroyPlan?: (plan: DestroyPlan) => void;
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
    fail(
      'invalid-document',
      `the document does not match the schema: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .slice(0, 5)
        .join('; ')}`,
      { issues: parsed.error.issues },
    );
  }
  const issues = validateTopology(parsed.data).filter((i) => i.severity === 'error');
  if (issues.length) {
    fail(
      'invalid-document',
      `the document is invalid: ${issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''}`,
      { issues },
    );
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
const timing = envSetting('NETNS_STUDIO_DEBUG_TIMING') === '1';
function lap(): (what: string) => void {
  let t = performance.now();
  return (what) => {
    if (!timing) return;
    const now = performance.now();
    console.error(`  ${(now - t).toFixed(0).padStart(5)} ms ${what}`);
    t = now;
  };
}

/** `recent`: namespaces just read by this process (apply's readiness wait), taken as read. */
async function planChecked(doc: Topology, ctx: ApplyContext, source: TopologySource = {}, recent?: RecentReads): Promise<PipelinePlan> {
  const mark = lap();
  await requireFeaturesOf(doc, ctx.features);
  mark('features');
  const sc = scope(doc, ctx, source);
  mark('records');
  // A namespace of the record deleted by hand (`ip netns del X && netns-studio apply`)
  // takes its veths' far ends along a moment later: wait for them, so the plan sees
  // the host as it settles, not a veth about to vanish.
  const goneNs = new Set(namespacesOfRecord(sc.ownership).filter((n) => !namedTarget(n)));
  const lingering = linksLeavingWithNamespaces(sc.ownership, goneNs);
  if (lingering.length) {
    await waitLinksGone(lingering, { wrap: ctx.wrap, timeoutMs: 2000 });
    mark(`wait for ${lingering.length} links of namespaces deleted by hand`);
  }
  const { observed, facts, warnings = [] } = await ctx.engine.discover(ctx, doc, recent);
  mark('discover');
  // Reconcile: what the record lists and the host no longer has is forgotten
  // (not removed forever), and re-created when the document still has it. The
  // record may talk about namespaces the document no longer names: look there too.
  const seen = ctx.engine.observedKeys(observed);
  const docNs = new Set(namespacesOf(doc));
  const extra = namespacesOfRecord(sc.ownership).filter((n) => !docNs.has(n));
  let extraFacts: unknown;
  if (extra.length) {
    const more = await ctx.engine.discover(ctx, Topology.parse({ apiVersion: API_VERSION, kind: KIND, namespaces: extra.map((name) => ({ name })) }));
    for (const k of ctx.engine.observedKeys(more.observed)) seen.add(k);
    extraFacts = more.facts;
    mark(`discover ${extra.length} namespaces of the record`);
  }
  // NAT tables are read where the document has rules (./observe.ts), except host's
  const natRead = new Set(doc.namespaces.filter((n) => n.nat.length && n.name !== HOST_NS).map((n) => n.name));
  const { ownership, gone } = reconcile(sc.ownership, presenceIn(seen, natRead));
  if (gone.length)
    sc.notes.push(
      `${gone.length} recorded object(s) are gone from the host (removed outside netns-studio): ${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ' …' : ''}; they are forgotten, and re-created where the document still has them`,
    );
  // What we created and the document no longer has goes first, undone exactly as
  // destroy would (with its rollback); then what the document wants.
  const wanted = ctx.engine.buildKeys(doc);
  const removed = new Set(ownership.log.filter((e) => !wanted.has(e.key)).map((e) => e.key));
  const removals = removed.size ? destroySteps(ownership, removed).filter((s) => !wanted.has(s.object)) : [];
  mark('ownership, build keys, removals');
  const planned = ctx.engine.plan(doc, observed, new Set(ownership.owned), removals);
  mark(`plan (${planned.length} steps)`);
  const goneSet = new Set(gone);
  const steps = markHostExposure(markUnmanaged(planned, ownership), doc).map((s) =>
    goneSet.has(s.object) ? { ...s, reason: `${s.reason} (removed outside netns-studio)` } : s,
  );
  // never a change or a deletion of another topology's object, whatever the planner thought
  refuseClaims(
    claimsOf(
      sc.others.filter((r) => r !== sc.handover?.from).map(ownerOf),
      steps.filter((s) => s.action !== 'create').map((s) => s.object),
    ),
    sc.id,
  );
  validateSteps(steps);
  mark('mark unmanaged, validate');
  const planHash = planHashOf(steps, { facts, extraFacts, owned: ownership.owned, topology: sc.id.name });
  mark('hash');
  return {
    steps,
    removals: removals.map((_, i) => i),
    planHash,
    summary: summarize(steps),
    warnings,
    topology: sc.id,
    notes: sc.notes,
    gone,
    ownership,
    recordDir: sc.mine.dir,
    ...(sc.handover ? { handover: sc.handover } : {}),
  };
}

export async function planForHost(document: unknown, ctx: ApplyContext, source: TopologySource = {}): Promise<PipelinePlan> {
  const doc = checkDocument(document);
  return withExternals(doc, ctx, () => planChecked(doc, ctx, source));
}

function execOptions(ctx: ApplyContext, journal: Journal): ExecuteOptions {
  return {
    journal,
    wrap: ctx.wrap,
    forwarders: ctx.forwarders,
    handlers: ctx.handlers,
    parallel: ctx.parallel,
    concurrency: ctx.concurrency,
    failAtStep: ctx.failAtStep,
    stepDelayMs: ctx.stepDelayMs,
    onProgress: ctx.onProgress,
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
  return new Set(steps.flatMap((s) => (s.op.op === 'netns.del' ? [s.op.name] : [])));
}

/**
 * Execute `plan` under a journal in the topology's record directory (apply and
 * destroy alike); on success commit and save the ownership `record` derives from
 * the steps that ran.
 */
async function executeJournaled(
  ctx: ApplyContext,
  kind: 'apply' | 'destroy',
  plan: { steps: Step[]; planHash: string; recordDir: string; topology: string },
  tolerateGone: ExecuteOptions['tolerateGone'],
  record: (applied: number[], skipped: number[]) => Ownership,
): Promise<{ applied: number[]; skipped: number[] }> {
  const stateDir = stateDirOf(ctx.stateDir);
  // one transaction at a time per state dir, whichever topology it is for (the lock is the state dir's)
  const journal = Journal.begin(plan.recordDir, kind, plan.steps, { planHash: plan.planHash, topology: plan.topology }, stateDir);
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
  const ownership = record(r.applied, r.skipped);
  journal.write({ t: 'commit', ownership });
  saveOwnership(plan.recordDir, ownership);
  journal.finish();
  return r;
}

export async function applyDocument(document: unknown, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  const doc = checkDocument(document);
  return exclusive(() =>
    withExternals(doc, ctx, async () => {
      const t0 = performance.now();
      const source = { file: opts.file };
      const plan = await planChecked(doc, ctx, source);
      opts.onPlan?.(plan);
      if (opts.planHash !== undefined && opts.planHash !== plan.planHash) {
        fail('plan-stale', 'the host changed since this plan was made: plan again and review the new steps', {
          expected: opts.planHash,
          actual: plan.planHash,
        });
      }
      const allowed = new Set(opts.allow ?? []);
      const refused = plan.steps.filter((s) => s.unmanaged && !allowed.has(s.object));
      if (refused.length) {
        fail(
          'unmanaged',
          `the plan would ${refused.length === 1 ? 'change an object' : `change ${refused.length} objects`} this product did not create (${[...new Set(refused.map((s) => s.object))].slice(0, 5).join(', ')}); name ${refused.length === 1 ? 'it' : 'them'} explicitly to allow it`,
          { objects: refused.map((s) => s.object) },
        );
      }
      const hostSteps = plan.steps.filter((s) => s.touchesHost);
      if (hostSteps.length && !opts.allowHost) {
        fail(
          'touches-host',
          `the plan has ${hostSteps.length === 1 ? 'a step' : `${hostSteps.length} steps`} that touch the host (${hostSteps
            .slice(0, 3)
            .map((s) => `${s.object}: ${s.touchesHost}`)
            .join('; ')}${hostSteps.length > 3 ? '; …' : ''}); allow host changes explicitly to apply it`,
          { steps: hostSteps.map((s) => ({ object: s.object, touchesHost: s.touchesHost })) },
        );
      }
      const name = plan.topology.name;
      if (!plan.steps.length) {
        // nothing to run, but the record may have learnt something (objects gone, taken over): keep it true
        if (plan.gone.length || plan.handover) commitRecordOnly(plan);
        noteApplied(plan.recordDir, name, { file: plan.topology.file, document: doc, steps: 0, applied: 0, skipped: 0 });
        finishHandover(plan);
        return { ok: true, applied: 0, skipped: 0, matches: true, remaining: [], durationMs: performance.now() - t0, topology: name };
      }
      let leaving: { namespace: string; name: string }[] = [];
      const r = await executeJournaled(ctx, 'apply', { ...plan, topology: name }, new Set(plan.removals), (applied, skipped) => {
        // veth ends whose peer sat in a namespace this apply deleted vanish a moment later (the kernel frees namespaces asynchronously)
        leaving = linksLeavingWithNamespaces(plan.ownership, deletedNamespaces(plan.steps));
        const next = recordApplied(plan.ownership, plan.steps, applied);
        // a removal that found its object already gone: forget it too
        const goneNow = new Set(skipped.filter((i) => plan.removals.includes(i)).map((i) => plan.steps[i].object));
        return goneNow.size ? recordDestroyed(next, goneNow) : next;
      });
      noteApplied(plan.recordDir, name, {
        file: plan.topology.file,
        document: doc,
        steps: plan.steps.length,
        applied: r.applied.length,
        skipped: r.skipped.length,
      });
      finishHandover(plan);
      if (leaving.length) await waitLinksGone(leaving, { wrap: ctx.wrap });
      const durationMs = performance.now() - t0;
      // The confirming plan comes after the readiness wait and takes the wait's last
      // read of each namespace as read: every step had run before its first round,
      // so those reads show the host as applied (and as it settled), and the host is
      // not read twice (side by side, both queued on the same readers).
      const touched = new Set(r.applied.map((i) => plan.steps[i].object));
      const reads: RecentReads = new Map();
      const readiness =
        opts.wait === false
          ? undefined
          : await waitReady(readinessExpectation(doc, touched), { wrap: ctx.wrap, forwarders: ctx.forwarders, timeoutMs: opts.readyTimeoutMs, reads });
      const after = await planChecked(doc, ctx, source, reads);
      return {
        ok: true,
        applied: r.applied.length,
        skipped: r.skipped.length,
        matches: after.steps.length === 0,
        remaining: after.steps,
        durationMs,
        topology: name,
        ...(readiness ? { readiness } : {}),
      };
    }),
  );
}

/** The reconciled record saved without a transaction: no step ran. */
function commitRecordOnly(plan: PipelinePlan): void {
  saveOwnership(plan.recordDir, recordApplied(plan.ownership, [], []));
}

/** What a migrated record handed over is no longer its own. */
function finishHandover(plan: PipelinePlan): void {
  const h = plan.handover;
  if (!h) return;
  saveOwnership(h.from.dir, h.rest);
  if (!h.rest.owned.length && !h.rest.log.length) noteDestroyed(h.from.dir, h.from.name, { steps: 0, applied: 0, skipped: 0 });
}

export interface DestroyPlan {
  steps: Step[];
  removals: number[];
  /** links outside the deleted namespaces that the kernel removes with them, a moment later */
  leaving: { namespace: string; name: string }[];
  planHash: string;
  summary: PlanSummary;
  topology: TopologyIdentity;
  recordDir: string;
  ownership: Ownership;
  notes: string[];
  handover?: { from: TopologyRecord; rest: Ownership };
}

/** Which topology a destroy is for: a document (and its file), or a name alone. */
export type DestroyTarget = { document: unknown; file?: string } | { name: string };

/**
 * What destroy would run: the undo, in reverse, of everything the topology's
 * record lists. A document applied by the previous version (its objects now in
 * the migrated record) is destroyed from there.
 */
export function planDestroyOf(target: DestroyTarget, ctx: ApplyContext): DestroyPlan {
  const stateDir = stateDirOf(ctx.stateDir);
  let id: TopologyIdentity;
  let doc: Topology | undefined;
  if ('name' in target) {
    const bad = checkTopologyName(target.name);
    if (bad) fail('invalid-name', bad);
    id = { name: target.name, from: 'document' };
  } else {
    doc = checkDocument(target.document);
    id = topologyIdentity(doc, target.file);
  }
  const records = listRecords(stateDir);
  const mine = records.find((r) => r.name === id.name) ?? readRecord(stateDir, id.name);
  refuseBorrowedName(id, mine);
  if ('name' in target && !isApplied(mine) && !mine.ownership.log.length) {
    fail('unknown-topology', `no topology "${id.name}" is recorded in ${stateDir} (netns-studio list shows the applied ones)`, {
      name: id.name,
      known: records.filter(isApplied).map((r) => r.name),
    });
  }
  let ownership = mine.ownership;
  let handover: DestroyPlan['handover'];
  const notes = problemNotes(mine);
  if (doc && !ownership.log.length) {
    const wanted = ctx.engine.buildKeys(doc);
    const legacy = records.find((r) => r.meta.migratedFrom && r.document === undefined && claimsOf([ownerOf(r)], wanted).length);
    if (legacy) {
      const { taken, rest } = splitOwnership(legacy.ownership, wanted);
      ownership = taken;
      handover = { from: legacy, rest };
      notes.push(`removes ${taken.owned.length} objects that the previous version's record (topology "${legacy.name}") lists for this document`);
    }
  }
  const keys = new Set([...ownership.owned, ...ownership.log.map((e) => e.key)]);
  const steps = destroySteps(ownership, keys);
  validateSteps(steps);
  return {
    steps,
    removals: [],
    leaving: linksLeavingWith(ownership, keys),
    planHash: planHashOf(steps, { owned: ownership.owned, topology: id.name }),
    summary: summarize(steps),
    topology: id,
    recordDir: mine.dir,
    ownership,
    notes,
    ...(handover ? { handover } : {}),
  };
}

/** What destroy would run for `document` (see planDestroyOf). */
export function planDestroy(document: unknown, ctx: ApplyContext, source: TopologySource = {}): DestroyPlan {
  return planDestroyOf({ document, file: source.file }, ctx);
}

export async function destroyDocument(document: unknown, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  const doc = checkDocument(document);
  // the veths into external namespaces are removed from inside them: those need their names meanwhile
  return withExternals(doc, ctx, () => destroyTopology({ document, file: opts.file }, opts, ctx), { gone: 'skip' });
}

export async function destroyTopology(target: DestroyTarget, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  // by name: the external namespaces of the document last applied (./externals.ts)
  const recorded = 'name' in target && !checkTopologyName(target.name) ? recordedExternals(stateDirOf(ctx.stateDir), target.name) : undefined;
  if (recorded) return withExternals(recorded, ctx, () => destroyRecorded(target, opts, ctx), { gone: 'skip' });
  return destroyRecorded(target, opts, ctx);
}

async function destroyRecorded(target: DestroyTarget, opts: ApplyOptions, ctx: ApplyContext): Promise<ApplyResult> {
  return exclusive(async () => {
    const t0 = performance.now();
    const mark = lap();
    const plan = planDestroyOf(target, ctx);
    const name = plan.topology.name;
    mark(`destroy plan (${plan.steps.length} steps)`);
    opts.onDestroyPlan?.(plan);
    if (opts.planHash !== undefined && opts.planHash !== plan.planHash) {
      fail('plan-stale', 'what this product owns changed since this plan was made: plan again', { expected: opts.planHash, actual: plan.planHash });
    }
    if (!plan.steps.length) {
      if (isApplied(readRecord(stateDirOf(ctx.stateDir), name))) {
        saveOwnership(plan.recordDir, recordDestroyed(plan.ownership, new Set(plan.ownership.log.map((e) => e.key))));
        noteDestroyed(plan.recordDir, name, { steps: 0, applied: 0, skipped: 0 });
      }
      return { ok: true, applied: 0, skipped: 0, matches: true, remaining: [], durationMs: performance.now() - t0, topology: name };
    }
    const keys = new Set([...plan.ownership.owned, ...plan.ownership.log.map((e) => e.key)]);
    const r = await executeJournaled(ctx, 'destroy', { ...plan, topology: name }, true, () => recordDestroyed(plan.ownership, keys));
    mark('journal, execute, record ownership');
    if (plan.handover) {
      saveOwnership(plan.handover.from.dir, plan.handover.rest);
      if (!plan.handover.rest.log.length && !plan.handover.rest.owned.length)
        noteDestroyed(plan.handover.from.dir, plan.handover.from.name, { steps: r.applied.length, applied: r.applied.length, skipped: r.skipped.length });
    } else {
      noteDestroyed(plan.recordDir, name, { steps: plan.steps.length, applied: r.applied.length, skipped: r.skipped.length });
    }
    const settled = await waitLinksGone(plan.leaving, { wrap: ctx.wrap });
    mark(`wait for the kernel to free ${plan.leaving.length} links`);
    return {
      ok: true,
      applied: r.applied.length,
      skipped: r.skipped.length,
      matches: settled,
      remaining: [],
      durationMs: performance.now() - t0,
      topology: name,
    };
  });
}
