/**
 * Helper method `plan(document)`: validate, check kernel features, discover the
 * host fresh, plan, mark steps on objects this product does not own, and hash it
 * all so `apply` can refuse when the host changed since. Shapes follow
 * shared/backend.ts (PlanResult, PlanSummary). Expected failures are thrown as
 * ApplyFailure; their `.failure` is the protocol's `{code, message, detail}`.
 */
import type { Step } from '../../shared/model/step';
import type { ApplyContext } from '../apply/context';
import { planForHost } from '../apply/pipeline';

export interface PlanParams {
  document: unknown;
}

export interface PlanWireResult {
  planHash: string;
  steps: Step[];
  summary: { create: number; change: number; delete: number; unmanaged: number; total: number };
  warnings?: string[];
}

export async function planMethod(params: PlanParams, ctx: ApplyContext): Promise<PlanWireResult> {
  const p = await planForHost(params.document, ctx);
  const warnings = p.summary.unmanaged
    ? [`${p.summary.unmanaged} step(s) change objects netns-studio did not create; apply refuses them unless they are named explicitly`]
    : undefined;
  return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length }, ...(warnings ? { warnings } : {}) };
}
