/**
 * Helper method `destroy(document, {planHash?, dryRun?})`: removes what applying
 * this document created (the ownership record under the state dir), and nothing
 * else; transactional like apply, with the same `progress` events. `dryRun`
 * returns the steps it would run (like `plan` with `destroy: true`).
 */
import { DestroyParams } from '../../shared/protocol/methods';
import type { ApplyContext } from '../apply/context';
import { destroyDocument } from '../apply/pipeline';
import { applyContextOf } from './apply-context';
import { progressEmitter, withProgress, type ApplyProgressEvent, type ApplyWireResult } from './apply';
import { planMethod, type PlanWireResult } from './plan';
import { defineMethod } from './registry';


export async function destroyMethod(params: DestroyParams, ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): Promise<ApplyWireResult | PlanWireResult> {
  if (params.dryRun) return planMethod({ document: params.document, destroy: true }, ctx);
  const r = await destroyDocument(params.document, { planHash: params.planHash }, withProgress(ctx, emit));
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches };
}

export const destroyHelperMethod = defineMethod({
  name: 'destroy',
  params: DestroyParams,
  handler: async (params, ctx) => destroyMethod(params, await applyContextOf(ctx), progressEmitter(ctx)),
});
