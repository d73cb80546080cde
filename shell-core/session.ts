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
import type { HelperLink, SubscriptionHandle } from './helper-link';
import { toApplyResult, toForwarderStats, toHostSnapshot, toPingProgress, toPingResults, toPlanResult, toProgress, toTopologyDetail, toTopologyList, toWatchEvent } from './helper-results';
import type { ApplyWireResult, CaptureEvent, PlanResult, TerminalEvent } from '../shared/protocol/methods';
import { CaptureEventSchema, TerminalEventSchema } from '../shared/ipc-contract';

export type Emit = <N extends EventName>(event: N, payload: EventPayload<N>) => void;
type SubKind = 'watch' | 'forwarderStats';
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

export function createSession(link: HelperLink, emit: Emit): Session {
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
      // every namespace, unnamed ones too (containers…): the live view draws them, its toolbar toggle hides them
      ? link.subscribe('watch', { unnamed: true }, (ev) => {
          const e = toWatchEvent(ev);
          if (e.ok) emit('watchEvent', { subId, event: e.value });
          else onError(e.error);
        }, onError)
      : link.subscribe('forwarderStats', {}, (ev) => {
          const st = toForwarderStats(ev);
          if (st.ok) emit('forwarderStats', { subId, stats: st.value });
        }, () => {});
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

  async function startTool(kind: 'capture' | 'terminal', subId: string, params: unknown): Promise<Result<null>> {
    if (tools.has(subId)) return { ok: false, error: { code: 'busy', message: `${subId} is already running` } };
    if (kind === 'terminal' && [...tools.values()].filter((t) => t.kind === 'terminal').length >= MAX_SESSION_TERMINALS) {
      return { ok: false, error: { code: 'busy', message: `at most ${MAX_SESSION_TERMINALS} terminals per window` } };
    }
    tools.set(subId, { kind });
    const r = await link.subscribe(kind, params, (ev) => {
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
    }, (error) => {
      // the helper went away: the capture or shell went with it
      if (!tools.delete(subId)) return;
      if (kind === 'capture') emit('capture', { subId, event: { type: 'end', reason: 'failed', packets: 0, bytes: 0, error: error.message } });
      else emit('terminal', { subId, event: { type: 'exit', code: null } });
    });
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
    plan: async (p) => mapped(await link.call('plan', { document: p.document, ...fileOf(p) }), toPlanResult),
    apply: async (p) =>
      mapped(
        await link.call('apply', { document: p.document, planHash: p.planHash, ...fileOf(p), ...(p.allowHost ? { allowHost: true } : {}) }, (ev) => {
          const pr = toProgress(ev);
          if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
        }),
        toApplyResult,
      ),
    destroy: async (p) =>
      p.dryRun
        ? mapped(await link.call('plan', { document: p.document, destroy: true, ...fileOf(p) }), toPlanResult)
        : mapped(
            await link.call('destroy', { document: p.document, planHash: p.planHash, ...fileOf(p) }, (ev) => {
              const pr = toProgress(ev);
              if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
            }),
            // without dryRun, destroy answers like apply
            (v) => toApplyResult(v as ApplyWireResult),
          ),
    listTopologies: async () => mapped(await link.call('topologies.list', {}), toTopologyList),
    topologyStatus: async (p) => mapped(await link.call('topologies.status', { name: p.name }), toTopologyDetail),
    destroyTopology: async (p) =>
      p.dryRun
        ? mapped(await link.call('destroy', { name: p.name, dryRun: true }), (v) => toPlanResult(v as PlanResult)) // with dryRun it answers like plan
        : mapped(
            await link.call('destroy', { name: p.name }, (ev) => {
              const pr = toProgress(ev);
              if (pr.ok) emit('progress', { opId: p.opId, progress: pr.value });
            }),
            // without dryRun, destroy answers like apply
            (v) => toApplyResult(v as ApplyWireResult),
          ),
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
    impairLink: async (p) => mapped(await link.call('link.impair', p), (v) => ({ ok: true as const, value: { qdisc: v.qdisc } })),
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
