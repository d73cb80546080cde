/**
 * Helper method `destroy(document, {planHash?, dryRun?})`: removes what applying
 * this document created (the ownership record under the state dir), and nothing
 * else; transactional like apply. `dryRun` returns the steps it would run.
 */
import type { ApplyContext } from '../apply/context';
import { destroyDocument, planDestroy } from '../apply/pipeline';
import { progressEvent, type ApplyProgressEvent, type ApplyWireResult } from './apply';
import type { PlanWireResult } from './plan';

export interface DestroyParams {
  document: unknown;
  planHash?: string;
  dryRun?: boolean;
}

export async function destroyMethod(params: DestroyParams, ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): Promise<ApplyWireResult | PlanWireResult> {
  if (params.dryRun) {
    const p = planDestroy(params.document, ctx);
    return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length } };
  }
  const r = await destroyDocument(params.document, { planHash: params.planHash }, { ...ctx, onProgress: emit ? (p) => emit(progressEvent(p)) : ctx.onProgress });
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches };
}
