/**
 * One renderer's session with the shell: answers the contract's requests
 * (shared/ipc-contract.ts) by calling the helper through a HelperLink, and pushes
 * events (status, watch, progress, forwarder stats) back through `emit`. Used as is
 * by the browser server (one session per WebSocket) and by Electron main (one per
 * window), which adds its file and window requests on top.
 *
 * Params arrive already validated; helper answers are mapped into the renderer's
 * shapes (./helper-results.ts) and fail as `bad-message` if they do not fit.
 */
import type { BackendError, HelperStatus, Result, Unsubscribe } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import type { EventName, EventPayload, RequestName } from '../shared/ipc-contract';
import type { z } from 'zod';
import type { REQUESTS } from '../shared/ipc-contract';
import type { HelperLink, SubscriptionHandle, SubscriptionParams } from './helper-link';
import {
  toApplyResult,
  toForwarderStats,
  toLinkRates,
  toHostSnapshot,
  toPingProgress,
  toPingResults,
  toPlanResult,
  toProgress,
  toTopologyDetail,
  toTopologyList,
  toWatchEvent,
} from './helper-results';
import type { ApplyWireResult, CaptureEvent, PlanResult, TerminalEvent } from '../shared/protocol/methods';
import { CaptureEventSchema, TerminalEventSchema } from '../shared/ipc-contract';
import type { PlanResult as ShownPlan } from '../shared/backend';
import { NOT_CONFIRMED, type ChangeToConfirm, type ConfirmChange } from './change-confirmation';

export type Emit = <N extends EventName>(event: N, payload: EventPayload<N>) => void;
type SubKind = 'watch' | 'forwarderStats' | 'linkRates';
/** Terminals one session (window, browser tab) may have open. */
export const MAX_SESSION_TERMINALS = 4;
type Params<N extends RequestName> = z.output<(typeof REQUESTS)[N]['params']>;

export interface Session {
  /** the common requests; undefined for ones this session does not answer (files) */
  handle(name: RequestName, params: unknown): Promise<unknown> | undefined;
  close(): void;
}

const fileOf = (p: { file?: string }) => (p.file ? { file: p.file } : {});
const mapped = <V, T>(r: Result<V>, map: (v: V) => Result<T>): Result<T> => (r.ok ? map(r.value) : r);

export interface SessionOptions {
  /**
   * Ask a person before apply or destroy reaches the helper (./change-confirmation.ts),
   * and before a terminal, a capture of `host` or netem on `host` (what the helper asks
   * its supervisor for: helper/confirm/gate.ts): the shell's own channel, never the
   * client's. Electron main passes its dialog; `serve` none (its helper asks the root
   * supervisor itself). Without it, the client's word is enough here.
   */
  confirm?: ConfirmChange;
}

/** Plans a session keeps to show when a change is confirmed (the newest; a client plans a few at a time). */
const KEPT_PLANS = 16;

export function createSession(link: HelperLink, emit: Emit, opts: SessionOptions = {}): Session {
  /** the helper's plans this session handed out, by planHash (`topology:NAME` for destroy by name) */
  const plans = new Map<string, ShownPlan>();
  const keep =
    (key?: string) =>
    (r: Result<ShownPlan>): Result<ShownPlan> => {
      if (r.ok) {
        const k = key ?? r.value.planHash;
        plans.delete(k);
        plans.set(k, r.value);
        if (plans.size > KEPT_PLANS) plans.delete(plans.keys().next().value!);
      }
      return r;
    };
  /**
   * The person's yes to this change, asked with the helper's own plan for it: the one this
   * session handed out under that hash, else a fresh one (which must have that hash).
   */
  async function confirmed(
    action: 'apply' | 'destroy',
    key: string,
    planHash: string | undefined,
    allowHost: boolean,
    replan: () => Promise<Result<ShownPlan>>,
  ): Promise<Result<ShownPlan | undefined>> {
    if (!opts.confirm) return { ok: true, value: undefined };
    let plan = plans.get(key);
    if (!plan) {
      const r = await replan();
      if (!r.ok) return r;
      plan = r.value;
    }
    if (planHash !== undefined && plan.planHash !== planHash)
      return { ok: false, error: { code: 'plan-stale', message: 'the host or the document changed since this plan was made: plan again' } };
    const answer = await opts.confirm({ action, plan, allowHost });
    if (!answer.confirmed) return { ok: false, error: { code: NOT_CONFIRMED, message: answer.why } };
    plans.delete(key); // one yes, one change
    return { ok: true, value: plan };
  }
  const planOf = async (p: { document: unknown; file?: string }, destroy = false) =>
    mapped(await link.call('plan', { document: p.document as never, ...(destroy ? { destroy: true } : {}), ...fileOf(p) }), toPlanResult);
  const destroyPlanOf = async (name: string) => mapped(await link.call('destroy', { name, dryRun: true }), (v) => toPlanResult(v as PlanResult));
  /** live subscriptions: their kind (to renew them) and how to end them */
  const subs = new Map<string, { kind: SubKind; off?: Unsubscribe }>();
  let wasConnected = link.status().state === 'connected';
  const offStatus = link.onStatus((s: HelperStatus) => {
    emit('status', s);
    // a restarted helper knows nothing of our subscriptions: renew them (each starts with a resync)
    const connected = s.state === 'connected';
    if (connected && !wasConnected) for (const [subId, sub] of subs) void renew(subId, sub.kind);
    wasConnected = connected;
  });

  async function subscribe(kind: SubKind, subId: string): Promise<Result<Unsubscribe>> {
    const onError = (error: BackendError) => emit('watchError', { subId, error });
    return kind === 'watch'
      ? // every namespace, unnamed ones too (containers…): the live view draws them, its toolbar toggle hides them
        link.subscribe(
          'watch',
          { unnamed: true },
          (ev) => {
            const e = toWatchEvent(ev);
            if (e.ok) emit('watchEvent', { subId, event: e.value });
            else onError(e.error);
          },
          onError,
        )
      : kind === 'linkRates'
        ? link.subscribe(
            'linkRates',
            {},
            (ev) => {
              const r = toLinkRates(ev);
              if (r.ok) emit('linkRates', { subId, rates: r.value });
            },
            () => {},
          )
        : link.subscribe(
            'forwarderStats',
            {},
            (ev) => {
              const st = toForwarderStats(ev);
              if (st.ok) emit('forwarderStats', { subId, stats: st.value });
            },
            () => {},
          );
  }

  async function renew(subId: string, kind: SubKind) {
    subs.get(subId)?.off?.();
    const r = await subscribe(kind, subId);
    const sub = subs.get(subId);
    if (!r.ok) {
      if (kind === 'watch') emit('watchError', { subId, error: r.error });
      return;
    }
    if (sub) sub.off = r.value;
    else r.value(); // stopped meanwhile
  }

  async function startSub(kind: SubKind, subId: string): Promise<Result<null>> {
    if (subs.has(subId)) return { ok: true, value: null };
    subs.set(subId, { kind });
    const r = await subscribe(kind, subId);
    if (!r.ok) {
      subs.delete(subId);
      return r;
    }
    const sub = subs.get(subId);
    if (sub) sub.off = r.value;
    else r.value(); // watchStop came first
    return { ok: true, value: null };
  }

  function stopSub(subId: string): Result<null> {
    subs.get(subId)?.off?.();
    subs.delete(subId);
    return { ok: true, value: null };
  }

  /** captures and terminals of this session, by the renderer's id: never renewed (they die with a helper), closed with the session */
  const tools = new Map<string, { kind: 'capture' | 'terminal'; handle?: SubscriptionHandle }>();
  const okNull: Result<null> = { ok: true, value: null };
  /** undefined: go ahead; else the refusal to answer */
  const refusedBy = async (change: ChangeToConfirm): Promise<Result<never> | undefined> => {
    if (!opts.confirm) return undefined;
    const a = await opts.confirm(change);
    return a.confirmed ? undefined : { ok: false, error: { code: NOT_CONFIRMED, message: a.why } };
  };
  const toolChange = (kind: 'capture' | 'terminal', params: unknown): ChangeToConfirm | undefined => {
    const p = (params ?? {}) as { namespace?: unknown; interface?: unknown; filter?: unknown };
    if (typeof p.namespace !== 'string') return undefined; // the helper refuses it
    if (kind === 'terminal') return { action: 'terminal', namespace: p.namespace };
    return p.namespace === 'host' && typeof p.interface === 'string'
      ? { action: 'capture', namespace: p.namespace, interface: p.interface, ...(typeof p.filter === 'string' && p.filter ? { filter: p.filter } : {}) }
      : undefined;
  };

  async function startTool(kind: 'capture' | 'terminal', subId: string, params: unknown): Promise<Result<null>> {
    if (tools.has(subId)) return { ok: false, error: { code: 'busy', message: `${subId} is already running` } };
    if (kind === 'terminal' && [...tools.values()].filter((t) => t.kind === 'terminal').length >= MAX_SESSION_TERMINALS) {
      return { ok: false, error: { code: 'busy', message: `at most ${MAX_SESSION_TERMINALS} terminals per window` } };
    }
    tools.set(subId, { kind });
    const change = toolChange(kind, params);
    const no = change && (await refusedBy(change));
    if (no) {
      tools.delete(subId);
      return no;
    }
    const r = await link.subscribe(
      kind,
      // from the renderer: the helper checks it with the method table's schema (capture.start, terminal.open)
      params as SubscriptionParams<typeof kind>,
      (ev) => {
        if (kind === 'capture') {
          const e = CaptureEventSchema.safeParse(ev);
          if (!e.success) return;
          emit('capture', { subId, event: e.data as CaptureEvent });
          if (e.data.type === 'end') tools.delete(subId);
        } else {
          const e = TerminalEventSchema.safeParse(ev);
          if (!e.success) return;
          emit('terminal', { subId, event: e.data as TerminalEvent });
          if (e.data.type === 'exit') tools.delete(subId);
        }
      },
      (error) => {
        // the helper went away: the capture or shell went with it
        if (!tools.delete(subId)) return;
        if (kind === 'capture') emit('capture', { subId, event: { type: 'end', reason: 'failed', packets: 0, bytes: 0, error: error.message } });
        else emit('terminal', { subId, event: { type: 'exit', code: null } });
      },
    );
    if (!r.ok) {
      tools.delete(subId);
      return r;
    }
    const t = tools.get(subId);
    if (t) t.handle = r.value;
    else r.value();
    return okNull;
  }

  function stopTool(subId: string): Result<null> {
    const t = tools.get(subId);
    tools.delete(subId);
    t?.handle?.();
    return okNull;
  }

  async function toTerminal(subId: string, method: 'terminal.input' | 'terminal.resize', params: object): Promise<Result<null>> {
    const id = tools.get(subId)?.handle?.id;
    if (id === undefined) return { ok: false, error: { code: 'unknown-subscription', message: `no terminal ${subId}` } };
    const r = await link.call(method, { subscription: id, ...params } as never);
    return r.ok ? okNull : r;
  }

  const handlers: { [N in RequestName]?: (p: Params<N>) => Promise<unknown> } = {
    status: async () => link.status(),
    connect: () => link.connect(),
    discover: async (p) => mapped(await link.call('discover', { unnamed: p.unnamed ?? false, ...(p.filter ? { filter: true } : {}) }), toHostSnapshot),
    ping: async (p) =>
      mapped(
        await link.call('ping', { pings: p.pings }, (ev) => {
          const pr = toPingProgress(ev);
          if (pr.ok) emit('pingProgress', { opId: p.opId, progress: pr.value });
        }),
        toPingResults,
      ),
    plan: async (p) => keep()(mapped(await link.call('plan', { document: p.document, ...fileOf(p) }), toPlanResult)),
    apply: async (p) => {
      const yes = await confirmed('apply', p.planHash, p.planHash, !!p.allowHost, () => planOf(p));
      if (!yes.ok) return yes;
      return mapped(
        await link.call('apply', { document: p.document, planHash: p.planHash, ...fileOf(p), ...(p.allowHost ? { allowHost: true } : {}) }, (ev) => {
          const pr = toProgress(ev);
          if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
        }),
        toApplyResult,
      );
    },
    destroy: async (p) => {
      if (p.dryRun) return keep()(await planOf(p, true));
      const yes = await confirmed('destroy', p.planHash ?? '', p.planHash, false, () => planOf(p, true));
      if (!yes.ok) return yes;
      return mapped(
        await link.call('destroy', { document: p.document, planHash: p.planHash ?? yes.value?.planHash, ...fileOf(p) }, (ev) => {
          const pr = toProgress(ev);
          if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
        }),
        // without dryRun, destroy answers like apply
        (v) => toApplyResult(v as ApplyWireResult),
      );
    },
    listTopologies: async () => mapped(await link.call('topologies.list', {}), toTopologyList),
    topologyStatus: async (p) => mapped(await link.call('topologies.status', { name: p.name }), toTopologyDetail),
    destroyTopology: async (p) => {
      if (p.dryRun) return keep(`topology:${p.name}`)(await destroyPlanOf(p.name)); // with dryRun it answers like plan
      const yes = await confirmed('destroy', `topology:${p.name}`, undefined, false, () => destroyPlanOf(p.name));
      if (!yes.ok) return yes;
      return mapped(
        // the confirmed plan's hash: the helper refuses if what it would remove is not what was shown
        await link.call('destroy', { name: p.name, ...(yes.value ? { planHash: yes.value.planHash } : {}) }, (ev) => {
          const pr = toProgress(ev);
          if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
        }),
        // without dryRun, destroy answers like apply
        (v) => toApplyResult(v as ApplyWireResult),
      );
    },
    watchStart: (p) => startSub('watch', p.subId),
    watchStop: async (p) => stopSub(p.subId),
    forwarderStatsStart: (p) => startSub('forwarderStats', p.subId),
    forwarderStatsStop: async (p) => stopSub(p.subId),
    captureStart: ({ subId, ...p }) => startTool('capture', subId, p),
    captureStop: async (p) => stopTool(p.subId),
    terminalOpen: ({ subId, ...p }) => startTool('terminal', subId, p),
    terminalInput: (p) => toTerminal(p.subId, 'terminal.input', { data: p.data }),
    terminalResize: (p) => toTerminal(p.subId, 'terminal.resize', { cols: p.cols, rows: p.rows }),
    terminalClose: async (p) => stopTool(p.subId),
    impairLink: async (p) => {
      const what = [p.delayMs !== undefined && `delay ${p.delayMs} ms`, p.lossPercent !== undefined && `loss ${p.lossPercent}%`].filter(Boolean).join(', ');
      const no = p.namespace === 'host' && !p.clear ? await refusedBy({ action: 'impair', namespace: p.namespace, interface: p.interface, what }) : undefined;
      return no ?? mapped(await link.call('link.impair', p), (v) => ({ ok: true as const, value: { qdisc: v.qdisc } }));
    },
    linkRatesStart: (p) => startSub('linkRates', p.subId),
    linkRatesStop: async (p) => stopSub(p.subId),
  };

  return {
    handle(name, params) {
      const h = handlers[name] as ((p: unknown) => Promise<unknown>) | undefined;
      if (!h) return undefined;
      return h(params).catch((e: unknown): Result<never> => ({
        ok: false,
        error: { code: BACKEND_ERROR.disconnected, message: e instanceof Error ? e.message : String(e) },
      }));
    },
    close() {
      offStatus();
      for (const sub of subs.values()) sub.off?.();
      subs.clear();
      // the window or browser session went: its shells are hung up, its captures stopped
      for (const t of tools.values()) t.handle?.();
      tools.clear();
    },
  };
}
