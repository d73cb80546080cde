/**
 * Helper method `apply(document, {planHash, allow})`: re-plans, refuses with
 * `plan-stale` when the host changed since the plan was shown (or `unmanaged`
 * when a step touches an object not ours that the request does not name, or
 * `touches-host` when a step touches the host and `allowHost` is not set), then
 * executes under the journal, streaming progress events
 *
 *   {event: 'progress', ref: <apply request id>, data: ApplyProgressEvent}
 *
 * (shared/backend.ts ApplyProgress; shell-core/helper-results.ts toProgress reads
 * them). Also `recoverOnStart`, which the helper runs before serving.
 */
import { z } from 'zod';
import { checkDocumentOffThread } from '../apply/check-worker';
import type { ApplyContext } from '../apply/context';
import type { Progress } from '../apply/executor';
import { stateDirOf } from '../apply/journal';
import { applyDocument } from '../apply/pipeline';
import type { Readiness } from '../apply/ready';
import { fail } from '../apply/failure';
import { recover, type RecoveryReport } from '../apply/recovery';
import { applyContextOf } from './apply-context';
import { helperForwarders } from '../forwarders/runtime';
import { defineMethod, type MethodContext } from './registry';
import { SourceFileParam } from './topologies';

/** Name of the events apply and destroy send while they run (`ref` = the request id). */
export const PROGRESS_EVENT = 'progress';

const ObjectKeyParam = z.string().min(1).max(1000);

export const ApplyParams = z.strictObject({
  document: z.unknown(),
  /** the hash of the plan the person saw (from `plan`): no blind applies over the protocol */
  planHash: z.string().regex(/^[0-9a-f]{64}$/, 'planHash: the hash of the plan that was shown (plan first)'),
  /** object keys of unmanaged objects the person explicitly allows apply to change */
  allow: z.array(ObjectKeyParam).max(10_000).optional(),
  /** the person allowed the steps that touch the host (plan steps with `touchesHost`); refused with `touches-host` otherwise */
  allowHost: z.boolean().optional(),
  /** wait until what the apply brought up is usable (default true); false answers as soon as the steps are done */
  wait: z.boolean().optional(),
  /** bound of that wait in ms (default 10 s) */
  readyTimeoutMs: z.number().int().min(0).max(600_000).optional(),
  /** the file the document came from: names the topology when the document has no `name`, recorded for `topologies.list` */
  file: SourceFileParam.optional(),
});
export type ApplyParams = z.infer<typeof ApplyParams>;

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
  /** what became usable after the steps (absent with `wait: false`); not-ready objects are named there */
  readiness?: Readiness;
  /** the topology applied (or destroyed) */
  topology: string;
}

declare module '../../shared/protocol/messages' {
  interface Methods {
    /** also sends `progress` events (ApplyProgressEvent) tied to the request */
    apply: { params: ApplyParams; result: ApplyWireResult; events: { progress: ApplyProgressEvent } };
  }
}

function progressEvent(p: Progress): ApplyProgressEvent {
  return { index: p.done, total: p.total, reason: p.reason ?? '', namespace: p.namespace, phase: p.phase };
}

/** Progress of an apply/destroy as protocol events of the request being served. */
export function progressEmitter(ctx: MethodContext): (e: ApplyProgressEvent) => void {
  let seq = 0;
  return (e) => ctx.emit(PROGRESS_EVENT, e, seq++);
}

/** `ctx` with its progress sent as `emit` events, when there is an `emit`. */
export function withProgress(ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): ApplyContext {
  return { ...ctx, onProgress: emit ? (p) => emit(progressEvent(p)) : ctx.onProgress };
}

export async function applyMethod(params: { document: unknown; planHash: string; allow?: string[]; allowHost?: boolean; file?: string; wait?: boolean; readyTimeoutMs?: number }, ctx: ApplyContext, emit?: (e: ApplyProgressEvent) => void): Promise<ApplyWireResult> {
  if (typeof params?.planHash !== 'string' || !/^[0-9a-f]{64}$/.test(params.planHash)) fail('plan-stale', 'apply needs the hash of the plan that was shown (plan first)');
  const r = await applyDocument(await checkDocumentOffThread(params.document), { planHash: params.planHash, allow: params.allow, allowHost: params.allowHost === true, ...(params.file ? { file: params.file } : {}), wait: params.wait, readyTimeoutMs: params.readyTimeoutMs }, withProgress(ctx, emit));
  return { applied: r.applied, durationMs: r.durationMs, matches: r.matches, topology: r.topology, ...(r.readiness ? { readiness: r.readiness } : {}) };
}

export const applyHelperMethod = defineMethod({
  name: 'apply',
  params: ApplyParams,
  handler: async (params, ctx) => applyMethod(params, await applyContextOf(ctx), progressEmitter(ctx)),
});

/**
 * Before the helper answers anything: finish the business of a helper that died
 * mid-apply (roll back by default). Returns what was done, for the log.
 */
export async function recoverOnStart(opts: { stateDir?: string; mode?: 'rollback' | 'finish'; wrap?: string[] } = {}): Promise<RecoveryReport | undefined> {
  // forwarders started by the interrupted apply are stopped (or started) like any other step
  return recover(stateDirOf(opts.stateDir), { mode: opts.mode, wrap: opts.wrap, forwarders: helperForwarders(opts.wrap) });
}
