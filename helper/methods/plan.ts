/**
 * Helper method `plan(document, {destroy?})`: validate, check kernel features,
 * discover the host fresh, plan, mark steps on objects this product does not
 * own, and hash it all so `apply` can refuse when the host changed since. With
 * `destroy: true`, the steps `destroy(document)` would run. Shapes follow
 * shared/backend.ts (PlanResult, PlanSummary). Expected failures are thrown as
 * ApplyFailure; their `.failure` is the protocol's `{code, message, detail}`.
 */
import { PlanParams, type PlanResult } from '../../shared/protocol/methods';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import { planDestroy, planForHost } from '../apply/pipeline';
import { applyContextOf } from './apply-context';
import { defineMethod } from './registry';

/** `plan`'s result on the wire: shared/protocol/methods.ts PlanResult. */
export type PlanWireResult = PlanResult;

export async function planMethod(params: PlanParams, ctx: ApplyContext): Promise<PlanWireResult> {
  return planOfChecked({ ...params, document: await checkDocumentOffThread(params.document) }, ctx);
}

/** `plan` of a document already checked (apply asks with the plan it is about to run: ./apply.ts). */
export async function planOfChecked(params: PlanParams, ctx: ApplyContext): Promise<PlanWireResult> {
  const source = params.file ? { file: params.file } : {};
  if (params.destroy) {
    const p = planDestroy(params.document, ctx, source);
    return { planHash: p.planHash, steps: p.steps, summary: { ...p.summary, total: p.steps.length }, topology: p.topology, notes: p.notes };
  }
  const p = await planForHost(params.document, ctx, source);
  const warnings = [
    ...(p.summary.unmanaged
      ? [`${p.summary.unmanaged} step(s) change objects netns-studio did not create; apply refuses them unless they are named explicitly`]
      : []),
    ...p.warnings.map((w) => w.message), // host firewall (../apply/host-firewall.ts)
  ];
  return {
    planHash: p.planHash,
    steps: p.steps,
    summary: { ...p.summary, total: p.steps.length },
    ...(warnings.length ? { warnings } : {}),
    topology: p.topology,
    notes: p.notes,
  };
}

export const planHelperMethod = defineMethod({
  name: 'plan',
  params: PlanParams,
  handler: async (params, ctx) => planMethod(params, await applyContextOf(ctx)),
});
