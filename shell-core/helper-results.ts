/**
 * Helper answers → the renderer's shapes (shared/backend.ts). The helper protocol's
 * method table (shared/protocol/methods.ts) types what arrives; these functions pick
 * the fields the UI uses and check them with the IPC contract's schemas (the helper
 * is another process), so a change on either side shows up here, typed, and not as
 * a half-drawn canvas.
 */
import type {
  AppliedTopology,
  AppliedTopologyDetail,
  ApplyProgress,
  ApplyResult,
  ForwarderStats,
  LinkRates,
  HostSnapshot,
  PingOutcome,
  PingProgress,
  PlanResult,
  Result,
  WatchEvent,
} from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import {
  AppliedTopologyDetailSchema,
  AppliedTopologySchema,
  ApplyProgressSchema,
  ApplyResultSchema,
  ForwarderStatsSchema,
  LinkRatesSchema,
  HostSnapshotSchema,
  PingOutcomeSchema,
  PingProgressSchema,
  PlanResultSchema,
  WatchEventSchema,
} from '../shared/ipc-contract';
import type { DiscoverResult } from '../shared/protocol/messages';
import type { ApplyWireResult, PlanResult as WirePlanResult } from '../shared/protocol/methods';
import { z } from 'zod';

function bad<T>(what: string, e: z.ZodError): Result<T> {
  const text = e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  return { ok: false, error: { code: BACKEND_ERROR.badMessage, message: `unexpected ${what} from the helper: ${text}` } };
}

function check<T>(schema: z.ZodType<T, unknown>, what: string, v: unknown): Result<T> {
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : bad(what, r.error);
}

export function toHostSnapshot(v: DiscoverResult): Result<HostSnapshot> {
  return check(HostSnapshotSchema, 'discover result', { document: v?.document, observed: v?.observed ?? null });
}

export function toPlanResult(v: WirePlanResult): Result<PlanResult> {
  return check(PlanResultSchema, 'plan', v);
}

export function toApplyResult(v: ApplyWireResult): Result<ApplyResult> {
  const notReady = v?.readiness?.notReady;
  return check(ApplyResultSchema, 'apply result', {
    applied: v?.applied,
    durationMs: v?.durationMs,
    topology: v?.topology,
    ...(Array.isArray(notReady) && notReady.length ? { notReady } : {}),
  });
}

export function toTopologyList(v: { topologies: AppliedTopology[] }): Result<AppliedTopology[]> {
  return check(z.array(AppliedTopologySchema), 'topology list', v?.topologies);
}

export function toTopologyDetail(v: AppliedTopologyDetail): Result<AppliedTopologyDetail> {
  return check(AppliedTopologyDetailSchema, 'topology status', v);
}

export function toProgress(v: ApplyProgress): Result<ApplyProgress> {
  return check(ApplyProgressSchema, 'progress event', v);
}

export function toWatchEvent(v: unknown): Result<WatchEvent> {
  return check(WatchEventSchema, 'watch event', v);
}

/** helper/methods/rates.ts events: LinkRates as sent */
export function toLinkRates(v: unknown): Result<LinkRates> {
  return check(LinkRatesSchema, 'link rates', v);
}

export function toForwarderStats(v: unknown): Result<ForwarderStats[]> {
  const o = v as { stats?: unknown } | unknown[];
  return check(z.array(ForwarderStatsSchema), 'forwarder stats', Array.isArray(o) ? o : (o as { stats?: unknown })?.stats);
}

export function toPingResults(v: { results: PingOutcome[] }): Result<PingOutcome[]> {
  return check(z.array(PingOutcomeSchema), 'ping results', v?.results);
}

export function toPingProgress(v: PingProgress): Result<PingProgress> {
  return check(PingProgressSchema, 'ping progress', v);
}
