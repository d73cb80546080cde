/**
 * Helper answers → the renderer's shapes (shared/backend.ts). The helper protocol
 * (shared/protocol/) is the source; these functions pick and check the fields the
 * UI uses, so a change on either side shows up here, typed, and not as a
 * half-drawn canvas.
 */
import type { AppliedTopology, AppliedTopologyDetail, ApplyProgress, ApplyResult, ForwarderStats, HostSnapshot, PlanResult, Result, WatchEvent } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import { AppliedTopologyDetailSchema, AppliedTopologySchema, ApplyProgressSchema, ApplyResultSchema, ForwarderStatsSchema, HostSnapshotSchema, PlanResultSchema, WatchEventSchema } from '../shared/ipc-contract';
import type { Step } from '../shared/model/step';
import { z } from 'zod';

function bad<T>(what: string, e: z.ZodError): Result<T> {
  const text = e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  return { ok: false, error: { code: BACKEND_ERROR.badMessage, message: `unexpected ${what} from the helper: ${text}` } };
}

function check<T>(schema: z.ZodType<T, unknown>, what: string, v: unknown): Result<T> {
  const r = schema.safeParse(v);
  return r.success ? { ok: true, value: r.data } : bad(what, r.error);
}

export function toHostSnapshot(v: unknown): Result<HostSnapshot> {
  const o = (v ?? {}) as Record<string, unknown>;
  // the helper may call the document `topology`/`desired`; observed facts may be absent
  return check(HostSnapshotSchema, 'discover result', { document: o.document ?? o.topology, observed: o.observed ?? null });
}

export function toPlanResult(v: unknown): Result<PlanResult> {
  const o = (v ?? {}) as Record<string, unknown>;
  const steps = Array.isArray(o.steps) ? (o.steps as Step[]) : [];
  const s = (o.summary ?? {}) as Record<string, number>;
  const summary = {
    create: s.create ?? steps.filter((x) => x.action === 'create').length,
    change: s.change ?? steps.filter((x) => x.action === 'change').length,
    delete: s.delete ?? steps.filter((x) => x.action === 'delete').length,
    unmanaged: s.unmanaged ?? steps.filter((x) => x.unmanaged).length,
    total: s.total ?? steps.length,
  };
  return check(PlanResultSchema, 'plan', { planHash: o.planHash, steps: o.steps, summary, warnings: o.warnings, topology: o.topology, notes: o.notes });
}

export function toApplyResult(v: unknown): Result<ApplyResult> {
  const o = (v ?? {}) as Record<string, unknown>;
  const readiness = o.readiness as { notReady?: unknown } | undefined;
  return check(ApplyResultSchema, 'apply result', { applied: o.applied ?? 0, durationMs: o.durationMs ?? 0, topology: o.topology, ...(Array.isArray(readiness?.notReady) && readiness.notReady.length ? { notReady: readiness.notReady } : {}) });
}

export function toTopologyList(v: unknown): Result<AppliedTopology[]> {
  return check(z.array(AppliedTopologySchema), 'topology list', (v as { topologies?: unknown } | undefined)?.topologies);
}

export function toTopologyDetail(v: unknown): Result<AppliedTopologyDetail> {
  return check(AppliedTopologyDetailSchema, 'topology status', v);
}

export function toProgress(v: unknown): Result<ApplyProgress> {
  const o = (v ?? {}) as Record<string, unknown>;
  const step = o.step as Partial<Step> | undefined;
  return check(ApplyProgressSchema, 'progress event', {
    index: o.index ?? o.done,
    total: o.total,
    reason: o.reason ?? step?.reason ?? '',
    namespace: o.namespace ?? step?.namespace,
    phase: o.phase,
  });
}

export function toWatchEvent(v: unknown): Result<WatchEvent> {
  return check(WatchEventSchema, 'watch event', v);
}

export function toForwarderStats(v: unknown): Result<ForwarderStats[]> {
  const o = v as { stats?: unknown } | unknown[];
  return check(z.array(ForwarderStatsSchema), 'forwarder stats', Array.isArray(o) ? o : (o as { stats?: unknown })?.stats);
}
