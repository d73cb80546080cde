/**
 * The browser mode's server: the built renderer over HTTP and the Backend contract
 * over one WebSocket (/ws), both behind the token, Host and Origin checks of
 * ./security.ts. Every frame from the browser is validated (shape, method, params)
 * before it reaches the helper.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BACKEND_ERROR } from '../shared/backend';
import type { BackendError } from '../shared/backend';
import { ClientFrame, ELECTRON_ONLY_REQUESTS, checkParams, isRequestName, type ServerFrame } from '../shared/ipc-contract';
import type { HelperLink } from '../shell-core/helper-link';
import { allowedHostHeaders, hostAllowed, newToken, originAllowed, requestToken, sameToken, securityHeaders } from './security';
import { createSession } from '../shell-core/session';
import { resolveStatic } from '../shell-core/static-files';
import { createSessionGate } from './one-time-codes';
import type { ConfirmChange } from '../shell-core/change-confirmation';

/** Largest frame the browser may send: a document of thousands of namespaces fits. */
export const MAX_CLIENT_FRAME = 16 * 1024 * 1024;
/** Open browser sessions at once (tabs); more are refused. */
export const MAX_CLIENTS = 16;
/** Requests one browser may have in flight; more are refused, not queued. */
export const MAX_IN_FLIGHT = 32;

export interface ServerOptions {
  /** directory with the built renderer (index.html + assets) */
  rendererDir: string;
  link: HelperLink;
  /** 0 = any free port */
  port?: number;
  /** address to bind; loopback unless the person says otherwise */
  host?: string;
  /** fixed token (tests); random otherwise */
  token?: string;
  /** more Host names to accept (e.g. the name of an ssh tunnel endpoint) */
  allowedHosts?: string[];
  log?: (line: string) => void;
  /** a person's yes to each apply/destroy, asked outside the browser (serve: ./terminal-confirmation.ts) */
  confirm?: ConfirmChange;
}

export interface RunningServer {
  /** the URL to open: a one-time code (./one-time-codes.ts), never the token */
  url: string;
  port: number;
  host: string;
  /** for scripts (`Authorization: Bearer`); never printed nor put in a URL */
  token: string;
  /** another address with a fresh one-time code */
  newUrl(): string;
  /** open WebSocket sessions */
  clients(): number;
  close(): Promise<void>;
}

/** where the page trades its one-time code for a session secret */
export const SESSION_PATH = '/session';

const MISSING_RENDERER = `<!doctype html><meta charset="utf-8"><title>Netns Studio</title>
<p>The user interface has not been built. Run <code>npm run build:renderer</code> and reload.</p>`;

function reject(res: ServerResponse, status: number, text: string, headers: Record<string, string>) {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${text}\n`);
}

function rejectUpgrade(socket: Duplex, status: number, text: string) {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  const gate = createSessionGate();
  let codeUrl = (code: string) => code;
  const log = opts.log ?? (() => {});
  let port = opts.port ?? 0;
  let allowed = new Set<string>();

  const server = createServer((req, res) => {
    void handleHttp(req, res).catch((e: unknown) => {
      log(`http error: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) reject(res, 500, 'internal error', {});
      else res.end();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse) {
    const hostHeader = req.headers.host ?? '';
    const headers = securityHeaders(hostAllowed(req, allowed) ? hostHeader : `127.0.0.1:${port}`);
    // A DNS-rebinding page reaches us under its own name: refuse any Host we are not.
    if (!hostAllowed(req, allowed)) return reject(res, 421, 'unknown Host', headers);
    if (!originAllowed(req, allowed, false)) return reject(res, 403, 'foreign Origin', headers);
    const url0 = new URL(req.url ?? '/', `http://${hostHeader}`);
    if (url0.pathname === SESSION_PATH) return exchangeCode(req, res, headers);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reject(res, 405, 'method not allowed', { ...headers, Allow: 'GET, HEAD' });
    // The UI's files are the same for everyone and hold no secret: served without any
    // credential (a cookie would reach every server on 127.0.0.1, ports being no part
    // of a cookie's scope; `__Host-` needs https). The page takes `?code=` out of its
    // address, trades it for a session secret (exchangeCode) kept in sessionStorage;
    // the WebSocket, which controls the helper, is what needs that secret.
    const url = new URL(req.url ?? '/', `http://${hostHeader}`);
    const file = await resolveStatic(opts.rendererDir, url.pathname);
    if (!file) {
      if (url.pathname === '/' || url.pathname === '/index.html') {
        res.writeHead(200, { ...headers, 'Content-Type': 'text/html; charset=utf-8' });
        return res.end(MISSING_RENDERER);
      }
      // browsers ask for this by themselves; an empty answer keeps their consoles clean
      if (url.pathname === '/favicon.ico') {
        res.writeHead(204, headers);
        return res.end();
      }
      return reject(res, 404, 'not found', headers);
    }
    res.writeHead(200, { ...headers, 'Content-Type': file.type, 'Content-Length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  }

  /** POST /session, body = the one-time code: answers the session secret once, then never for that code */
  async function exchangeCode(req: IncomingMessage, res: ServerResponse, headers: Record<string, string>) {
    if (req.method !== 'POST') return reject(res, 405, 'method not allowed', { ...headers, Allow: 'POST' });
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
      if (body.length > 256) return reject(res, 413, 'too large', headers);
    }
    const secret = gate.exchange(body.trim());
    if (!secret) {
      log('netns-studio: refused a one-time code that is unknown or already used');
      return reject(res, 403, "this address was already used (or is not this server's): ask serve for a new one", headers);
    }
    log(`netns-studio: a browser opened the address; for another tab or browser use ${codeUrl(gate.mintCode())}`);
    res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ secret }));
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_FRAME });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') return rejectUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(req, allowed)) return rejectUpgrade(socket, 421, 'Misdirected Request');
    // Browsers always send Origin on a WebSocket handshake: it must be this server.
    if (!originAllowed(req, allowed, true)) return rejectUpgrade(socket, 403, 'Forbidden');
    const given = requestToken(req, url);
    if (!sameToken(given, token) && !gate.isSession(given)) return rejectUpgrade(socket, 401, 'Unauthorized');
    if (wss.clients.size >= MAX_CLIENTS) return rejectUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    const send = (frame: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const sendError = (id: number | null, error: BackendError) => send({ type: 'error', id, error });
    const session = createSession(opts.link, (event, payload) => send({ type: 'event', event, payload }), { confirm: opts.confirm });
    let inFlight = 0;
    send({ type: 'event', event: 'status', payload: opts.link.status() });

    ws.on('message', (data, isBinary) => {
      if (isBinary) return sendError(null, { code: BACKEND_ERROR.badMessage, message: 'binary frames are not accepted' });
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return sendError(null, { code: BACKEND_ERROR.badMessage, message: 'not JSON' });
      }
      const frame = ClientFrame.safeParse(parsed);
      if (!frame.success) {
        const id = typeof (parsed as { id?: unknown })?.id === 'number' ? (parsed as { id: number }).id : null;
        return sendError(id, { code: BACKEND_ERROR.badMessage, message: 'malformed request frame' });
      }
      const { id, method, params } = frame.data;
      if (!isRequestName(method) || ELECTRON_ONLY_REQUESTS.includes(method)) {
        return sendError(id, { code: BACKEND_ERROR.badMessage, message: `unknown method ${JSON.stringify(method)}` });
      }
      const checked = checkParams(method, params);
      if (!checked.ok) return sendError(id, checked.error);
      if (inFlight >= MAX_IN_FLIGHT) return sendError(id, { code: 'busy', message: 'too many requests in flight' });
      inFlight++;
      const pending = session.handle(method, checked.value);
      if (!pending) {
        inFlight--;
        return sendError(id, { code: BACKEND_ERROR.unsupported, message: `${method} is not available in the browser mode` });
      }
      void pending
        .then(
          (result) => send({ type: 'response', id, result }),
          (e: unknown) => sendError(id, { code: BACKEND_ERROR.disconnected, message: e instanceof Error ? e.message : String(e) }),
        )
        .finally(() => inFlight--);
    });
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  });

  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  allowed = allowedHostHeaders(host, port, opts.allowedHosts);
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  codeUrl = (code: string) => `http://${urlHost}:${port}/?code=${code}`;

  return {
    url: codeUrl(gate.mintCode()),
    newUrl: () => codeUrl(gate.mintCode()),
    port,
    host,
    token,
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
