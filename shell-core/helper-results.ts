/**
 * Helper answers → the renderer's shapes (shared/backend.ts). The helper protocol's
 * method table (shared/protocol/methods.ts) types what arrives; these functions pick
 * the fields the UI uses and check them with the IPC contract's schemas (the helper
 * is another process), so a change on either side shows up here, typed, and not as
 * a half-drawn canvas.
 */
import type { ApplyProgress, ApplyResult, ForwarderStats, HostSnapshot, PlanResult, Result, WatchEvent } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import { ApplyProgressSchema, ApplyResultSchema, ForwarderStatsSchema, HostSnapshotSchema, PlanResultSchema, WatchEventSchema } from '../shared/ipc-contract';
import type { DiscoverResult } from '../shared/protocol/messages';
import type { ApplyWireResult } from '../shared/protocol/methods';
import { z } from 'zod';

function bad<T>(what: string, e: z.ZodError): Result<T> {
  const text = e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, error: { code: BACKEND_ERROR.badMessage, message: `unexpected ${what} from the helper: ${text}` } };
}

function check<T>(schema: z.ZodType<T, unknown>, what: string, v: unknown): Result<T> {
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : bad(what, r.error);
}

export function toHostSnapshot(v: DiscoverResult): Result<HostSnapshot> {
  return check(HostSnapshotSchema, 'discover result', { document: v?.document, observed: v?.observed ?? null });
}

export function toPlanResult(v: PlanResult): Result<PlanResult> {
  return check(PlanResultSchema, 'plan', v);
}

export function toApplyResult(v: ApplyWireResult): Result<ApplyResult> {
  return check(ApplyResultSchema, 'apply result', { applied: v?.applied, durationMs: v?.durationMs });
}

export function toProgress(v: ApplyProgress): Result<ApplyProgress> {
  return check(ApplyProgressSchema, 'progress event', v);
}

export function toWatchEvent(v: unknown): Result<WatchEvent> {
  return check(WatchEventSchema, 'watch event', v);
}

export function toForwarderStats(v: unknown): Result<ForwarderStats[]> {
  const o = v as { stats?: unknown } | unknown[];
  return check(z.array(ForwarderStatsSchema), 'forwarder stats', Array.isArray(o) ? o : (o as { stats?: unknown })?.stats);
}
