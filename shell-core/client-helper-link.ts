/**
 * A HelperLink over a helper/client.ts HelperClient, whatever started it: the
 * stdio link (./stdio-helper-link.ts, already root) and the elevated link
 * (electron/elevated-helper-link.ts, connect-back socket) differ only in `start`.
 *
 * It owns the status the UI shows (connecting → connected as uid N → failed with
 * the reason), maps the shells' method names (session.ts) onto the helper
 * protocol's, and restarts a helper that died on its own a few times (a helper
 * that keeps dying stays `failed`, and the UI's retry calls `connect()`).
 */
import type { BackendError, HelperStatus, Result } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import type { DiscoverParams, RequestId } from '../shared/protocol/messages';
import { WatchStream } from './watch-stream';
import { HelperRequestError, type HelperClient } from '../helper/client';
import { SUBSCRIPTIONS, type EventDataOf, type HelperLink, type SubscriptionHandle } from './helper-link';
import type { MethodName, ParamsIn, ResultOf } from '../shared/protocol/methods';

export interface ClientLinkOptions {
  /** start a helper and greet it (rejects with the reason it could not) */
  start: () => Promise<HelperClient>;
  transport: 'stdio' | 'socket';
  /**
   * Added to every discover and watch request: limit the view to namespaces whose
   * name starts with a prefix (`serve --only-prefix`, the e2e sandboxes).
   */
  scope?: Pick<NonNullable<DiscoverParams>, 'onlyPrefix'>;
  /** restarts after an unexpected death before giving up (default 3 per minute) */
  maxRestarts?: number;
  /** wait before restarting a helper that died (default 500 ms) */
  restartDelayMs?: number;
  /** can `connect()` ever succeed after a failure (false when e.g. not root and no way to elevate) */
  canRetry?: (error: BackendError) => boolean;
  log?: (line: string) => void;
}

function toBackendError(e: unknown): BackendError {
  if (e instanceof HelperRequestError) return e.toBody();
  return { code: BACKEND_ERROR.disconnected, message: e instanceof Error ? e.message : String(e) };
}

function statusOf(client: HelperClient, transport: 'stdio' | 'socket'): HelperStatus {
  const h = client.hello;
  return {
    state: 'connected',
    transport,
    uid: h?.uid,
    root: h?.isRoot,
    versions: h ? { protocol: h.protocol, iproute2: h.iproute2, kernel: h.kernel } : undefined,
    features: h?.features as Record<string, boolean> | undefined,
    canRetry: false,
  };
}

export function createClientHelperLink(opts: ClientLinkOptions): HelperLink {
  const log = opts.log ?? (() => {});
  const listeners = new Set<(s: HelperStatus) => void>();
  // the scope names new namespaces whatever state the helper is in (it starts on first need)
  const withScope = (s: HelperStatus): HelperStatus => (opts.scope?.onlyPrefix ? { ...s, namePrefix: opts.scope.onlyPrefix } : s);
  let status: HelperStatus = withScope({ state: 'idle', transport: opts.transport, canRetry: true });
  let client: HelperClient | undefined;
  let starting: Promise<HelperStatus> | undefined;
  let closed = false;
  let restarts: number[] = [];
  const maxRestarts = opts.maxRestarts ?? 3;

  const setStatus = (s: HelperStatus) => {
    status = withScope(s);
    for (const l of listeners) l(status);
  };

  function failed(error: BackendError): HelperStatus {
    return { state: 'failed', transport: opts.transport, error, canRetry: opts.canRetry ? opts.canRetry(error) : true };
  }

  function watchDeath(c: HelperClient) {
    c.onExit((info) => {
      if (client !== c) return;
      client = undefined;
      if (closed) return;
      const error: BackendError = {
        code: BACKEND_ERROR.disconnected,
        message: info.reason,
        detail: { code: info.code, signal: info.signal, stderr: info.stderr },
      };
      log(`netns-studio: the helper stopped: ${info.reason}`);
      setStatus(failed(error));
      // restart on our own a few times; the session re-subscribes once connected again
      const now = Date.now();
      restarts = restarts.filter((t) => now - t < 60_000);
      if (restarts.length >= maxRestarts) return;
      restarts.push(now);
      setTimeout(() => {
        if (!closed && !client && !starting) void connect();
      }, opts.restartDelayMs ?? 500).unref?.();
    });
  }

  function connect(): Promise<HelperStatus> {
    if (client?.alive) return Promise.resolve(status);
    if (starting) return starting;
    setStatus({ state: 'connecting', transport: opts.transport, canRetry: false });
    starting = (async () => {
      try {
        const c = await opts.start();
        if (closed) {
          await c.close();
          return status;
        }
        client = c;
        watchDeath(c);
        if (c.alive) setStatus(statusOf(c, opts.transport));
      } catch (e) {
        setStatus(failed(toBackendError(e)));
      } finally {
        starting = undefined;
      }
      return status;
    })();
    return starting;
  }

  /** The live client, starting the helper first when it is idle (the desktop app starts it on first need). */
  async function live(): Promise<HelperClient | BackendError> {
    if (closed) return { code: BACKEND_ERROR.helperUnavailable, message: 'the helper link is closed' };
    if (!client?.alive) {
      if (status.state === 'idle' || starting) await connect();
    }
    return client?.alive ? client : (status.error ?? { code: BACKEND_ERROR.helperUnavailable, message: `the helper is not connected (${status.state})` });
  }

  const scoped = (method: string, params: unknown) =>
    (method === 'discover' || method === 'watch.subscribe' || method === 'rates.subscribe') && opts.scope?.onlyPrefix
      ? { ...((params ?? {}) as object), ...opts.scope }
      : params;

  // typed by the method table (HelperLink.call); the shells check with zod what they read of the answer
  async function call<M extends MethodName>(method: M, params: ParamsIn<M>, onEvent?: (event: EventDataOf<M>) => void): Promise<Result<ResultOf<M>>> {
    const c = await live();
    if (!('request' in c)) return { ok: false, error: c };
    try {
      // apply/destroy take as long as the host needs (they report progress meanwhile); the rest is bounded
      const timeoutMs = method === 'apply' || method === 'destroy' ? 0 : 120_000;
      // the wire is untyped: the helper answers with the method table's shapes (the shells check with zod what they read)
      const value = await c.request(method, scoped(method, params), { timeoutMs, onEvent: onEvent ? (e) => onEvent(e.data as EventDataOf<M>) : undefined });
      return { ok: true, value: value as ResultOf<M> };
    } catch (e) {
      return { ok: false, error: toBackendError(e) };
    }
  }

  return {
    status: () => status,
    onStatus(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    connect: () => {
      restarts = [];
      return connect();
    },
    call,
    async subscribe(name, params, onEventOf, onError): Promise<Result<SubscriptionHandle>> {
      // as in `call`: the events are the method table's shapes, the wire does not say so
      const onEvent = onEventOf as (event: unknown) => void;
      const sub = SUBSCRIPTIONS[name] as (typeof SUBSCRIPTIONS)[keyof typeof SUBSCRIPTIONS] | undefined;
      if (!sub) return { ok: false, error: { code: BACKEND_ERROR.unsupported, message: `no subscription ${name}` } };
      const c = await live();
      if (!('request' in c)) return { ok: false, error: c };
      // watch events are diffs: a gap in their numbers means a wrong picture, so subscribe again (it starts with a resync)
      const stream = name === 'watch' ? new WatchStream((e) => onEvent(e)) : undefined;
      let current: { id: RequestId; unsubscribe(): Promise<unknown> } | undefined;
      let generation = 0;
      let ended = false;
      const open = async () => {
        const mine = ++generation;
        stream?.restart();
        current = await c.subscribe(
          sub.method as 'watch.subscribe',
          scoped(sub.method, params) as NonNullable<DiscoverParams>,
          (e) => {
            if (mine !== generation) return; // a subscription we left
            if (e.event === 'error') onError(toBackendError(new HelperRequestError(e.data as never)));
            else if (e.event !== sub.event) return;
            else if (!stream) onEvent(e.data);
            else if (!stream.accept(e)) {
              log(`netns-studio: watch event ${e.seq} did not follow the previous one: subscribing again`);
              void reopen();
            }
          },
          sub.unsubscribe,
        );
        if (ended || mine !== generation) void current.unsubscribe();
      };
      const reopen = async () => {
        generation++;
        const old = current;
        current = undefined;
        void old?.unsubscribe().catch(() => {});
        if (ended || !c.alive) return;
        await open().catch((e) => onError(toBackendError(e)));
      };
      try {
        await open();
        const offExit = c.onExit((info) => onError({ code: BACKEND_ERROR.disconnected, message: info.reason }));
        const end: SubscriptionHandle = () => {
          ended = true;
          generation++;
          offExit();
          void current?.unsubscribe().catch(() => {});
        };
        // the helper's id of the subscription now running (a watch that reopened has a new one)
        Object.defineProperty(end, 'id', { get: () => current?.id });
        return { ok: true, value: end };
      } catch (e) {
        return { ok: false, error: toBackendError(e) };
      }
    },
    async close() {
      closed = true;
      const c = client;
      client = undefined;
      await starting?.catch(() => {});
      await c?.close().catch(() => {});
      // a start that was under way when we closed closes its own client (see connect)
      setStatus({ state: 'idle', transport: opts.transport, canRetry: false });
    },
  };
}
