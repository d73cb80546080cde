/**
 * Helper method `plan(document, {destroy?})`: validate, check kernel features,
 * discover the host fresh, plan, mark steps on objects this product does not
 * own, and hash it all so `apply` can refuse when the host changed since. With
 * `destroy: true`, the steps `destroy(document)` would run. Shapes follow
 * shared/backend.ts (PlanResult, PlanSummary). Expected failures are thrown as
 * ApplyFailure; their `.failure` is the protocol's `{code, message, detail}`.
 */
import { z } from 'zod';
import type { Step } from '../../shared/model/step';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import { planDestroy, planForHost } from '../apply/pipeline';
import { applyContextOf } from './apply-context';
import { defineMethod } from './registry';

export const PlanParams = z.strictObject({
  /** the topology document (validated by the pipeline, which reports its issues) */
  document: z.unknown(),
  /** plan the destroy of the document instead */
  destroy: z.boolean().optional(),
});
export type PlanParams = z.infer<typeof PlanParams>;

export interface PlanWireResult {
  planHash: string;
  steps: Step[];
  summary: { create: number; change: number; delete: number; unmanaged: number; total: number };
  warnings?: string[];
}

declare module '../../shared/protocol/messages' {
  interface Methods {
    plan: { params: PlanParams; result: PlanWireResult };
  }
}

export async function planMethod(params: PlanParams, ctx: ApplyContext): Promise<PlanWireResult> {
  params = { ...params, document: await checkDocumentOffThread(params.document) };
  if (params.destroy) {
    const p = planDestroy(params.document, ctx);
    return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length } };
  }
  const p = await planForHost(params.document, ctx);
  const warnings = p.summary.unmanaged
    ? [`${p.summary.unmanaged} step(s) change objects netns-studio did not create; apply refuses them unless they are named explicitly`]
    : undefined;
  return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length }, ...(warnings ? { warnings } : {}) };
}

export const planHelperMethod = defineMethod({
  name: 'plan',
  params: PlanParams,
  handler: async (params, ctx) => planMethod(params, await applyContextOf(ctx)),
});
