/**
 * Helper method `apply(document, {planHash, allow})`: re-plans, refuses with
 * `plan-stale` when the host changed since the plan was shown (or `unmanaged`
 * when a step touches an object not ours that the request does not name), then
 * executes under the journal, streaming progress (shared/backend.ts
 * ApplyProgress). Also `recoverOnStart`, which the helper runs before serving.
 */
import type { ApplyContext } from '../apply/context';
import type { Progress } from '../apply/executor';
import { stateDirOf } from '../apply/journal';
import { applyDocument } from '../apply/pipeline';
import { fail } from '../apply/failure';
import { recover, type RecoveryReport } from '../apply/recovery';

export interface ApplyParams {
  document: unknown;
  planHash: string;
  /** object keys of unmanaged objects the person explicitly allows apply to change */
  allow?: string[];
}

export interface ApplyProgressEvent {
  /** steps finished so far (1-based index of the last one) */
  index: number;
  total: number;
  reason: string;
  namespace?: string;
  phase: 'apply' | 'rollback';
}

export interface ApplyWireResult {
  applied: number;
  durationMs: number;
  /** the host matches the document after applying */
  matches: boolean;
}

export function progressEvent(p: Progress): ApplyProgressEvent {
  return { index: p.done, total: p.total, reason: p.reason ?? '', namespace: p.namespace, phase: p.phase };
}

export async function applyMethod(params: ApplyParams, ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): Promise<ApplyWireResult> {
  // a request must say which plan the person saw: no blind applies over the protocol
  if (typeof params?.planHash !== 'string' || !/^[0-9a-f]{64}$/.test(params.planHash)) fail('plan-stale', 'apply needs the hash of the plan that was shown (plan first)');
  const r = await applyDocument(params.document, { planHash: params.planHash, allow: params.allow }, { ...ctx, onProgress: emit ? (p) => emit(progressEvent(p)) : ctx.onProgress });
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches };
}

/**
 * Before the helper answers anything: finish the business of a helper that died
 * mid-apply (roll back by default). Returns what was done, for the hello/log.
 */
export async function recoverOnStart(opts: { stateDir?: string; mode?: 'rollback' | 'finish'; wrap?: string[] } = {}): Promise<RecoveryReport | undefined> {
  return recover(stateDirOf(opts.stateDir), { mode: opts.mode, wrap: opts.wrap });
}
