/**
 * Helper method `destroy({document, file?} | {name}, {planHash?, dryRun?})`:
 * removes what the topology created (its record under the state dir), and
 * nothing else; transactional like apply, with the same `progress` events. By
 * `name` it needs no document (the app's list of applied topologies). `dryRun`
 * returns the steps it would run (like `plan` with `destroy: true`). With a
 * supervisor (../confirm/gate.ts) a destroy waits for its yes, asked with that
 * plan, and runs only that plan (its hash).
 */
import { DestroyParams } from '../../shared/protocol/methods';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import { destroyTopology, planDestroyOf, type DestroyTarget } from '../apply/pipeline';
import { fail } from '../apply/failure';
import { applyContextOf } from './apply-context';
import { progressEmitter, withProgress, type ApplyProgressEvent, type ApplyWireResult } from './apply';
import type { PlanWireResult } from './plan';
import { asksEveryChange, confirmOrRefuse } from '../confirm/gate';
import { defineMethod, type HelperSettings } from './registry';

const wirePlan = (target: DestroyTarget, ctx: ApplyContext): PlanWireResult => {
  const p = planDestroyOf(target, ctx);
  return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length }, topology: p.topology, notes: p.notes };
};

export async function destroyMethod(
  params: DestroyParams,
  ctx: ApplyContext,
  emit?: (e: ApplyProgressEvent) => void,
  settings: HelperSettings = { confirm: { by: 'client' } },
  signal?: AbortSignal,
): Promise<ApplyWireResult | PlanWireResult> {
  if ((params.document === undefined) === (params.name === undefined)) fail('invalid-document', 'destroy takes a document or a topology name (one of them)');
  const target: DestroyTarget =
    params.name !== undefined
      ? { name: params.name }
      : { document: await checkDocumentOffThread(params.document), ...(params.file ? { file: params.file } : {}) };
  if (params.dryRun) return wirePlan(target, ctx);
  let planHash = params.planHash;
  if (asksEveryChange(settings)) {
    const shown = wirePlan(target, ctx);
    if (planHash !== undefined && planHash !== shown.planHash)
      fail('plan-stale', 'what this product owns changed since this plan was made: plan again', { expected: planHash, actual: shown.planHash });
    if (shown.steps.length) await confirmOrRefuse(settings, { action: 'destroy', plan: shown, allowHost: false }, signal);
    planHash = shown.planHash;
  }
  const r = await destroyTopology(target, { planHash }, withProgress(ctx, emit));
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches, topology: r.topology };
}

export const destroyHelperMethod = defineMethod({
  name: 'destroy',
  params: DestroyParams,
  handler: async (params, ctx) => destroyMethod(params, await applyContextOf(ctx), progressEmitter(ctx), ctx.connection.settings, ctx.signal),
});
