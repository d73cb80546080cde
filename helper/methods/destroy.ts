/**
 * Helper method `destroy(document, {planHash?, dryRun?})`: removes what applying
 * this document created (the ownership record under the state dir), and nothing
 * else; transactional like apply, with the same `progress` events. `dryRun`
 * returns the steps it would run (like `plan` with `destroy: true`).
 */
import { z } from 'zod';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import { destroyDocument } from '../apply/pipeline';
import { applyContextOf } from './apply-context';
import { progressEmitter, withProgress, type ApplyProgressEvent, type ApplyWireResult } from './apply';
import { planMethod, type PlanWireResult } from './plan';
import { defineMethod } from './registry';

export const DestroyParams = z.strictObject({
  document: z.unknown(),
  /** the hash `plan` with `destroy: true` returned: refused when ownership changed since */
  planHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  dryRun: z.boolean().optional(),
});
export type DestroyParams = z.infer<typeof DestroyParams>;

declare module '../../shared/protocol/messages' {
  interface Methods {
    /** also sends `progress` events (ApplyProgressEvent) tied to the request */
    destroy: { params: DestroyParams; result: ApplyWireResult | PlanWireResult; events: { progress: ApplyProgressEvent } };
  }
}

export async function destroyMethod(params: DestroyParams, ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): Promise<ApplyWireResult | PlanWireResult> {
  if (params.dryRun) return planMethod({ document: params.document, destroy: true }, ctx);
  const r = await destroyDocument(await checkDocumentOffThread(params.document), { planHash: params.planHash }, withProgress(ctx, emit));
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches };
}

export const destroyHelperMethod = defineMethod({
  name: 'destroy',
  params: DestroyParams,
  handler: async (params, ctx) => destroyMethod(params, await applyContextOf(ctx), progressEmitter(ctx)),
});
