/**
 * Helper method `apply(document, {planHash, allow})`: re-plans, refuses with
 * `plan-stale` when the host changed since the plan was shown (or `unmanaged`
 * when a step touches an object not ours that the request does not name, or
 * `touches-host` when a step touches the host and `allowHost` is not set), asks
 * for a person's yes where ../confirm/gate.ts says (with the plan it will run:
 * `not-confirmed` / `needs-confirmation` otherwise), then executes under the
 * journal, streaming progress events
 *
 *   {event: 'progress', ref: <apply request id>, data: ApplyProgressEvent}
 *
 * (shared/backend.ts ApplyProgress; shell-core/helper-results.ts toProgress reads
 * them). Also `recoverOnStart`, which the helper runs before serving.
 */
import { ApplyParams, PROGRESS_EVENT, type ApplyProgress, type ApplyWireResult } from '../../shared/protocol/methods';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import { applyDocument, recoverInterrupted, type RecoveryReport } from '../apply/entry';
import { fail } from '../apply/failure';
import { applyContextOf } from './apply-context';
import { asksEveryChange, clientConfirms, confirmOrRefuse } from '../confirm/gate';
import { planOfChecked } from './plan';
import { defineMethod, type HelperSettings, type MethodContext } from './registry';

export { PROGRESS_EVENT };
export type { ApplyWireResult };
/** `progress` event data: shared/protocol/methods.ts ApplyProgress. */
export type ApplyProgressEvent = ApplyProgress;

/** Progress of an apply/destroy as protocol events of the request being served. */
export function progressEmitter(ctx: MethodContext): (e: ApplyProgressEvent) => void {
  let seq = 0;
  return (e) => ctx.emit(PROGRESS_EVENT, e, seq++);
}

/** `ctx` with its progress sent as `emit` events, when there is an `emit`. */
export function withProgress(ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): ApplyContext {
  return { ...ctx, onProgress: emit ?? ctx.onProgress };
}

type ApplyRequest = { document: unknown; planHash: string; allow?: string[]; allowHost?: boolean; file?: string; wait?: boolean; readyTimeoutMs?: number };

/**
 * The person's yes to this apply, asked with the helper's own plan for it (the
 * hash must be the one planned: what was confirmed is what runs, or plan-stale).
 * Not asked when apply would refuse anyway (unmanaged objects not named, host
 * steps not allowed) or there is nothing to run.
 */
async function confirmApply(document: unknown, params: ApplyRequest, ctx: ApplyContext, settings: HelperSettings, signal?: AbortSignal): Promise<void> {
  const allowHost = params.allowHost === true;
  if (clientConfirms(settings) || !(asksEveryChange(settings) || allowHost)) return;
  const shown = await planOfChecked({ document, ...(params.file ? { file: params.file } : {}) }, ctx);
  if (shown.planHash !== params.planHash)
    fail('plan-stale', 'the host changed since this plan was made: plan again and review the new steps', { expected: params.planHash, actual: shown.planHash });
  const host = shown.steps.filter((s) => s.touchesHost);
  const allowed = new Set(params.allow ?? []);
  const refusedAnyway = (host.length > 0 && !allowHost) || shown.steps.some((s) => s.unmanaged && !allowed.has(s.object));
  if (refusedAnyway || !shown.steps.length || !(asksEveryChange(settings) || host.length)) return;
  await confirmOrRefuse(settings, { action: 'apply', plan: shown, allowHost }, signal);
}

export async function applyMethod(
  params: ApplyRequest,
  ctx: ApplyContext,
  emit?: (e: ApplyProgressEvent) => void,
  settings: HelperSettings = { confirm: { by: 'client' } },
  signal?: AbortSignal,
): Promise<ApplyWireResult> {
  if (typeof params?.planHash !== 'string' || !/^[0-9a-f]{64}$/.test(params.planHash))
    fail('plan-stale', 'apply needs the hash of the plan that was shown (plan first)');
  const document = await checkDocumentOffThread(params.document);
  await confirmApply(document, params, ctx, settings, signal);
  const r = await applyDocument(
    document,
    {
      planHash: params.planHash,
      allow: params.allow,
      allowHost: params.allowHost === true,
      ...(params.file ? { file: params.file } : {}),
      wait: params.wait,
      readyTimeoutMs: params.readyTimeoutMs,
    },
    withProgress(ctx, emit),
  );
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches, topology: r.topology, ...(r.readiness ? { readiness: r.readiness } : {}) };
}

export const applyHelperMethod = defineMethod({
  name: 'apply',
  params: ApplyParams,
  handler: async (params, ctx) => applyMethod(params, await applyContextOf(ctx), progressEmitter(ctx), ctx.connection.settings, ctx.signal),
});

/**
 * Before the helper answers anything: finish the business of a helper that died
 * mid-apply (roll back by default). Returns what was done, for the log.
 */
export async function recoverOnStart(opts: { stateDir?: string; mode?: 'rollback' | 'finish'; wrap?: string[] } = {}): Promise<RecoveryReport | undefined> {
  return recoverInterrupted(opts);
}
