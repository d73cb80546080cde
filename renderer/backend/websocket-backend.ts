/**
 * The Backend of the browser mode (`netns-studio serve`): the same requests and
 * events as the desktop app, carried as JSON frames over one WebSocket to the
 * server. Files are downloads and file inputs (./browser-files.ts). The socket
 * reconnects by itself; subscriptions are renewed and start with a resync.
 */
import { BACKEND_ERROR } from '../../shared/backend';
import type { BackendError, Unsubscribe } from '../../shared/backend';
import { MAX_SERVER_FRAME, ServerFrame } from '../../shared/ipc-contract';
import type { RequestName } from '../../shared/ipc-contract';
import { browserShellOps } from './browser-files';
import { createRpcBackend, type RpcBackend, type RpcTransport } from './rpc-backend';

/** Where the page's own server listens: ws(s)://same-host/ws. */
export function defaultSocketUrl(loc: { protocol: string; host: string } = globalThis.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/ws`;
}

export interface WebSocketBackendOptions {
  /** milliseconds a request may wait for its response (apply can be long) */
  requestTimeoutMs?: number;
  /** WebSocket constructor (tests pass the `ws` package's) */
  WebSocketImpl?: typeof WebSocket;
  /** first reconnect delay; doubles up to 5 s */
  reconnectDelayMs?: number;
}

/** A reconnecting request/response socket speaking ClientFrame/ServerFrame. */
export function createWebSocketTransport(
  url: string,
  token: string | undefined | Promise<string | undefined>,
  opts: WebSocketBackendOptions = {},
): RpcTransport & { close(): void } {
  const Impl = opts.WebSocketImpl ?? globalThis.WebSocket;
  // the page's secret may still be on its way (a one-time code being exchanged: ./page-token.ts)
  const full = Promise.resolve(token).then(
    (t) => (t ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(t)}` : url),
    () => url,
  );
  const timeoutMs = opts.requestTimeoutMs ?? 15 * 60_000;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: BackendError) => void; timer: ReturnType<typeof setTimeout> }>();
  const eventListeners = new Set<(event: unknown, payload: unknown) => void>();
  const reconnectListeners = new Set<() => void>();
  const disconnectListeners = new Set<(e: BackendError) => void>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  let everOpened = false;
  let closed = false;
  let delay = opts.reconnectDelayMs ?? 250;

  function failAll(error: BackendError) {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      p.reject(error);
      pending.delete(id);
    }
  }

  function onFrame(data: unknown) {
    if (typeof data !== 'string' || data.length > MAX_SERVER_FRAME) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const frame = ServerFrame.safeParse(parsed);
    if (!frame.success) {
      console.warn('netns-studio: dropped a malformed frame from the server');
      return;
    }
    const f = frame.data;
    if (f.type === 'event') {
      for (const cb of eventListeners) cb(f.event, f.payload);
      return;
    }
    if (f.type === 'error' && f.id === null) {
      console.warn(`netns-studio: server error: ${f.error.message}`);
      return;
    }
    if (f.id === null) return;
    const p = pending.get(f.id);
    if (!p) return;
    pending.delete(f.id);
    clearTimeout(p.timer);
    if (f.type === 'response') p.resolve(f.result);
    else p.reject(f.error);
  }

  function open(): Promise<WebSocket> {
    if (opened) return opened;
    opened = full.then(
      (address) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new Impl(address);
          socket = ws;
          ws.onopen = () => {
            delay = opts.reconnectDelayMs ?? 250;
            const again = everOpened;
            everOpened = true;
            resolve(ws);
            if (again) for (const cb of reconnectListeners) cb();
          };
          ws.onmessage = (ev: MessageEvent) => onFrame(ev.data);
          ws.onclose = (ev: CloseEvent) => {
            const error: BackendError = { code: BACKEND_ERROR.disconnected, message: `connection to the server lost${ev.reason ? `: ${ev.reason}` : ''}` };
            opened = undefined;
            socket = undefined;
            failAll(error);
            reject(error);
            if (closed) return;
            for (const cb of disconnectListeners) cb(error);
            // keep trying: the server may be restarting; the user's drawing is not lost
            setTimeout(() => {
              if (!closed) open().catch(() => {});
            }, delay);
            delay = Math.min(delay * 2, 5000);
          };
          ws.onerror = () => {
            /* onclose follows and says what happened */
          };
        }),
    );
    opened.catch(() => {});
    return opened;
  }

  void open().catch(() => {});

  return {
    async request(name: RequestName, params: unknown) {
      const ws = await open();
      const id = nextId++;
      return new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject({ code: BACKEND_ERROR.timeout, message: `${name} got no answer in ${Math.round(timeoutMs / 1000)} s` });
        }, timeoutMs);
        pending.set(id, { resolve, reject, timer });
        ws.send(JSON.stringify({ type: 'request', id, method: name, params }));
      });
    },
    onEvent(cb) {
      eventListeners.add(cb);
      return () => eventListeners.delete(cb);
    },
    onReconnect(cb): Unsubscribe {
      reconnectListeners.add(cb);
      return () => reconnectListeners.delete(cb);
    },
    onDisconnect(cb): Unsubscribe {
      disconnectListeners.add(cb);
      return () => disconnectListeners.delete(cb);
    },
    close() {
      closed = true;
      socket?.close();
      failAll({ code: BACKEND_ERROR.disconnected, message: 'closed' });
    },
  };
}

/**
 * The browser's Backend. `token`: the one from the URL the server printed (the
 * page keeps it in sessionStorage: ./page-token.ts).
 */
export function createWebSocketBackend(
  url: string = defaultSocketUrl(),
  token?: string | Promise<string | undefined>,
  opts: WebSocketBackendOptions = {},
): RpcBackend {
  const transport = createWebSocketTransport(url, token, opts);
  const backend = createRpcBackend('browser', transport, browserShellOps());
  const dispose = backend.dispose;
  return {
    ...backend,
    dispose() {
      dispose();
      transport.close();
    },
  };
}
