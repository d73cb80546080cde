/**
 * The client side of the helper protocol, used by the Electron main process, the
 * browser-mode server, the CLI and the tests: start the helper (stdio, or
 * connect-back through any spawner, e.g. a sudo-prompt one), send requests with
 * ids and timeouts, hand events to their subscribers, and report a helper that
 * dies (every pending request then rejects with code `disconnected`).
 *
 *   const h = await startStdioHelper();
 *   const { document } = await h.request('discover', {});
 *   const sub = await h.subscribe('watch.subscribe', {}, (e) => …);
 *   await sub.unsubscribe();  await h.close();
 */
import { spawn } from 'node:child_process';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  AuthMessage,
  HelperMessage,
  MAX_MESSAGE_BYTES,
  PROTOCOL_ERROR,
  PROTOCOL_VERSION,
  isErrorResponse,
  isEvent,
  type ErrorBody,
  type Event,
  type HelloResult,
  type RequestId,
} from '../shared/protocol/messages';
import { PARAMS_SCHEMAS, type MethodName, type ParamsIn, type ResultOf } from '../shared/protocol/methods';
import { connectBackHelperArgv, stdioHelperArgv, type LaunchOptions } from './launch';
import { LineSplitter, encodeLine } from './transport/ndjson';

/** A failed request, as the helper (or the client) typed it. */
export class HelperRequestError extends Error {
  readonly code: string;
  readonly detail?: unknown;
  constructor(body: ErrorBody) {
    super(body.message);
    this.name = 'HelperRequestError';
    this.code = body.code;
    this.detail = body.detail;
  }
  toBody(): ErrorBody {
    return this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail };
  }
}

export interface ExitInfo {
  code: number | null;
  signal?: string | null;
  /** last lines the helper wrote to stderr */
  stderr: string;
  reason: string;
}

export interface RequestOptions {
  /** default 120 s; 0 = none */
  timeoutMs?: number;
  /** events tied to this request (`ref` = its id): progress, subscription data */
  onEvent?: (event: Event) => void;
}

export interface Subscription<R> {
  result: R;
  id: RequestId;
  unsubscribe(): Promise<void>;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: HelperRequestError): void;
  timer?: NodeJS.Timeout;
}

export interface ClientOptions {
  maxBytes?: number;
  /** ends the helper process (stdio/connect-back); close() calls it */
  kill?: () => void;
  /** resolves when the helper process exits (stdio/connect-back) */
  exited?: Promise<Omit<ExitInfo, 'reason'>>;
  /** lines the helper sent that break the protocol (diagnostics) */
  onProtocolError?: (message: string) => void;
}

export class HelperClient {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly refListeners = new Map<RequestId, (e: Event) => void>();
  private readonly listeners = new Set<(e: Event) => void>();
  private readonly exitListeners = new Set<(info: ExitInfo) => void>();
  private exit?: ExitInfo;
  readonly closed: Promise<ExitInfo>;
  private resolveClosed!: (info: ExitInfo) => void;
  /** filled by start*Helper() after the first hello */
  hello?: HelloResult;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly opts: ClientOptions = {},
  ) {
    this.closed = new Promise((r) => (this.resolveClosed = r));
    const maxBytes = opts.maxBytes ?? MAX_MESSAGE_BYTES;
    const splitter = new LineSplitter(
      {
        onLine: (line) => this.receive(line),
        onOversize: (n) => opts.onProtocolError?.(`helper sent a message over ${maxBytes} bytes (${n}+); dropped`),
      },
      maxBytes,
    );
    input.on('data', (c: Buffer | string) => splitter.push(typeof c === 'string' ? Buffer.from(c) : c));
    // a 'data' listener does not restart a stream paused explicitly (connect-back pauses its
    // socket while checking the secret): resume, or no answer is ever read
    input.resume();
    let streamEnded = false;
    const ended = (why: string) => {
      if (streamEnded) return;
      streamEnded = true;
      // give the process a moment to report its exit code, which says more
      if (opts.exited) {
        const t = setTimeout(() => this.finish({ code: null, stderr: '', reason: why }), 2000);
        void opts.exited.then((e) => {
          clearTimeout(t);
          this.finish({ ...e, reason: describeExit(e) });
        });
      } else this.finish({ code: null, stderr: '', reason: why });
    };
    input.on('end', () => ended('the helper closed the connection'));
    input.on('close', () => ended('the helper closed the connection'));
    input.on('error', (e) => ended(`connection error: ${e.message}`));
    output.on('error', (e) => ended(`connection error: ${e.message}`));
    void opts.exited?.then((e) => this.finish({ ...e, reason: describeExit(e) }));
  }

  /** true until the helper or the stream is gone */
  get alive(): boolean {
    return !this.exit;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  /** Called once when the helper dies or the stream closes (immediately if it already has). */
  onExit(cb: (info: ExitInfo) => void): () => void {
    if (this.exit) {
      cb(this.exit);
      return () => {};
    }
    this.exitListeners.add(cb);
    return () => this.exitListeners.delete(cb);
  }

  /** Every event the helper sends. */
  onEvent(cb: (e: Event) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  request<M extends MethodName>(method: M, params?: ParamsIn<M>, opts?: RequestOptions): Promise<ResultOf<M>>;
  request(method: string, params?: unknown, opts?: RequestOptions): Promise<unknown>;
  request(method: string, params?: unknown, opts: RequestOptions = {}): Promise<unknown> {
    if (this.exit) return Promise.reject(new HelperRequestError({ code: PROTOCOL_ERROR.disconnected, message: `helper is gone: ${this.exit.reason}` }));
    const schema = PARAMS_SCHEMAS[method];
    if (schema) {
      const r = schema.safeParse(params);
      if (!r.success)
        return Promise.reject(new HelperRequestError({ code: PROTOCOL_ERROR.badParams, message: `bad params for ${method}: ${r.error.message}` }));
    }
    const id = this.nextId++;
    let line: string;
    try {
      line = encodeLine(params === undefined ? { id, method } : { id, method, params }, this.opts.maxBytes ?? MAX_MESSAGE_BYTES);
    } catch (e) {
      return Promise.reject(new HelperRequestError({ code: PROTOCOL_ERROR.tooLarge, message: (e as Error).message }));
    }
    if (opts.onEvent) this.refListeners.set(id, opts.onEvent);
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      const timeoutMs = opts.timeoutMs ?? 120_000;
      if (timeoutMs > 0) {
        p.timer = setTimeout(() => {
          this.pending.delete(id);
          this.refListeners.delete(id);
          reject(new HelperRequestError({ code: PROTOCOL_ERROR.timeout, message: `${method} got no answer in ${timeoutMs} ms` }));
        }, timeoutMs);
      }
      this.pending.set(id, p);
      this.output.write(line);
    });
  }

  /** Write raw text to the helper (tests of malformed input). */
  sendRaw(text: string): void {
    this.output.write(text);
  }

  /**
   * A subscription: `method` answers at once and then sends events with `ref` = its id
   * until `unsubscribeMethod` is called with `{subscription: id}`.
   */
  async subscribe<M extends MethodName>(
    method: M,
    params: ParamsIn<M>,
    onEvent: (e: Event) => void,
    unsubscribeMethod = 'watch.unsubscribe',
  ): Promise<Subscription<ResultOf<M>>> {
    let id: RequestId | undefined;
    const early: Event[] = [];
    // events may arrive before the response: buffer until we know our id
    const result = (await this.request(method as string, params, {
      timeoutMs: 0,
      onEvent: (e) => (id === undefined ? early.push(e) : onEvent(e)),
    })) as ResultOf<M>;
    id = (result as { subscription?: RequestId })?.subscription ?? this.nextId - 1;
    for (const e of early) onEvent(e);
    const ref = id;
    return {
      result,
      id: ref,
      unsubscribe: async () => {
        this.refListeners.delete(ref);
        if (this.alive) await this.request(unsubscribeMethod, { subscription: ref }).catch(() => {});
      },
    };
  }

  /** Stop the helper (ends its input; kills it if it does not go). */
  async close(): Promise<ExitInfo> {
    if (!this.exit) {
      this.output.end();
      const t = setTimeout(() => this.opts.kill?.(), 2000);
      if (!this.opts.exited) this.finish({ code: null, stderr: '', reason: 'closed by the client' });
      const info = await this.closed;
      clearTimeout(t);
      return info;
    }
    return this.exit;
  }

  private receive(line: string) {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return this.opts.onProtocolError?.(`helper sent non-JSON: ${line.slice(0, 200)}`);
    }
    const m = HelperMessage.safeParse(raw);
    if (!m.success) return this.opts.onProtocolError?.(`helper sent a bad message: ${line.slice(0, 200)}`);
    const msg = m.data;
    if (isEvent(msg)) {
      if (msg.ref !== undefined) this.refListeners.get(msg.ref)?.(msg);
      for (const l of this.listeners) l(msg);
      return;
    }
    if (msg.id === null) return this.opts.onProtocolError?.(`helper rejected a message: ${(msg as { error: ErrorBody }).error.message}`);
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (p.timer) clearTimeout(p.timer);
    if (isErrorResponse(msg)) {
      this.refListeners.delete(msg.id);
      p.reject(new HelperRequestError(msg.error));
    } else p.resolve((msg as { result: unknown }).result);
  }

  private finish(info: ExitInfo) {
    if (this.exit) return;
    this.exit = info;
    for (const [, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(
        new HelperRequestError({
          code: PROTOCOL_ERROR.disconnected,
          message: `helper is gone: ${info.reason}`,
          detail: { code: info.code, signal: info.signal, stderr: info.stderr },
        }),
      );
    }
    this.pending.clear();
    this.refListeners.clear();
    for (const l of this.exitListeners) l(info);
    this.exitListeners.clear();
    this.resolveClosed(info);
  }
}

function describeExit(e: Omit<ExitInfo, 'reason'>): string {
  const how = e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
  const tail = e.stderr.trim().split('\n').slice(-3).join(' | ');
  return tail ? `helper ${how}: ${tail}` : `helper ${how}`;
}

const tail = (s: string, n = 8192) => (s.length > n ? s.slice(-n) : s);

// ---------------------------------------------------------------- starting

export interface StartOptions extends LaunchOptions {
  /** ms to wait for the first hello (default 30 s) */
  helloTimeoutMs?: number;
  /** also pass the helper's stderr here (diagnostics) */
  onStderr?: (text: string) => void;
  onProtocolError?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Say hello and check the protocol (exported for a helper whose pipes arrive from elsewhere: server/supervised-helper-link.ts). */
export async function greet(client: HelperClient, timeoutMs: number): Promise<HelperClient> {
  try {
    const hello = await client.request('hello', {}, { timeoutMs });
    // an app and a helper of different releases would misread each other's messages: stop at the first one
    if (hello?.protocol !== PROTOCOL_VERSION) {
      throw new HelperRequestError({
        code: PROTOCOL_ERROR.protocolMismatch,
        message: `the helper speaks protocol ${JSON.stringify(hello?.protocol)}, this client ${PROTOCOL_VERSION}: install the app and its helper from the same release`,
        detail: { helper: hello?.protocol, client: PROTOCOL_VERSION },
      });
    }
    client.hello = hello;
  } catch (e) {
    await client.close().catch(() => {});
    throw e;
  }
  return client;
}

/** Spawn the helper speaking on stdio (we are root, or `wrap` elevates non-interactively). */
export async function startStdioHelper(opts: StartOptions = {}): Promise<HelperClient> {
  const argv = stdioHelperArgv(opts);
  const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = tail(stderr + d.toString());
    opts.onStderr?.(d.toString());
  });
  const exited = new Promise<Omit<ExitInfo, 'reason'>>((resolve) => {
    child.on('error', (e) => resolve({ code: null, stderr: `${stderr}\n${e.message}` }));
    child.on('close', (code, signal) => resolve({ code, signal, stderr })); // 'close': after its last output was read
  });
  child.stdin.on('error', () => {});
  const client = new HelperClient(child.stdout, child.stdin, {
    kill: () => child.kill('SIGKILL'),
    exited,
    onProtocolError: opts.onProtocolError,
  });
  return greet(client, opts.helloTimeoutMs ?? 30_000);
}

/** What a spawner returns: the elevated process's end (sudo-prompt resolves when its child exits). */
export interface SpawnedHelper {
  exited: Promise<{ code: number | null; signal?: string | null; stderr?: string }>;
  kill?: () => void;
}

export type HelperSpawner = (argv: string[]) => SpawnedHelper;

export interface ConnectBackOptions extends StartOptions {
  /** ms to wait for the helper to connect (a password prompt takes a while; default 5 min) */
  connectTimeoutMs?: number;
}

/**
 * Start the helper through `spawner` (sudo, pkexec, sudo-prompt…) and let it
 * connect back to a socket in a fresh private (0700) directory, proving itself
 * with a one-time secret written to a 0600 file there (never on a command line).
 * A connection without the right secret is dropped; we keep waiting.
 */
export async function startConnectBackHelper(spawner: HelperSpawner, opts: ConnectBackOptions = {}): Promise<HelperClient> {
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-'));
  const socketPath = join(dir, 'helper.sock');
  const secretFile = join(dir, 'secret');
  const secret = randomBytes(32).toString('hex');
  writeFileSync(secretFile, secret + '\n', { mode: 0o600 });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const server = createServer();
  let spawned: SpawnedHelper | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => resolve());
    });
    const argv = connectBackHelperArgv(socketPath, secretFile, opts);
    spawned = spawner(argv);
    const sock = await acceptAuthenticated(server, secret, spawned, opts.connectTimeoutMs ?? 300_000);
    server.close();
    cleanup();
    const sp = spawned;
    const exited = sp.exited.then((e) => ({ code: e.code, signal: e.signal, stderr: e.stderr ?? '' }));
    const client = new HelperClient(sock, sock, { kill: () => (sp.kill ? sp.kill() : sock.destroy()), exited, onProtocolError: opts.onProtocolError });
    return await greet(client, opts.helloTimeoutMs ?? 30_000);
  } catch (e) {
    server.close();
    cleanup();
    spawned?.kill?.();
    throw e;
  }
}

function acceptAuthenticated(server: ReturnType<typeof createServer>, secret: string, spawned: SpawnedHelper, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const timer = setTimeout(
      () => settle(() => reject(new HelperRequestError({ code: PROTOCOL_ERROR.timeout, message: `the helper did not connect back within ${timeoutMs} ms` }))),
      timeoutMs,
    );
    void spawned.exited.then((e) =>
      settle(() =>
        reject(
          new HelperRequestError({
            code: PROTOCOL_ERROR.disconnected,
            message: `the helper exited before connecting back (code ${e.code}${e.stderr ? `: ${e.stderr.trim().split('\n').slice(-2).join(' | ')}` : ''})`,
            detail: e,
          }),
        ),
      ),
    );
    server.on('connection', (sock) => {
      let buf = '';
      const onData = (d: Buffer) => {
        buf += d.toString('utf8');
        const nl = buf.indexOf('\n');
        if (nl === -1) {
          if (buf.length > 1024) sock.destroy();
          return;
        }
        sock.off('data', onData);
        const rest = buf.slice(nl + 1);
        if (!verify(buf.slice(0, nl), secret) || done) {
          sock.destroy(); // wrong secret: not our helper
          return;
        }
        sock.pause();
        if (rest) sock.unshift(Buffer.from(rest));
        settle(() => resolve(sock));
      };
      sock.on('data', onData);
      sock.on('error', () => {});
    });
  });
}

function verify(line: string, secret: string): boolean {
  try {
    const m = AuthMessage.safeParse(JSON.parse(line));
    if (!m.success) return false;
    const a = Buffer.from(m.data.secret);
    const b = Buffer.from(secret);
    return a.length === b.length && timingSafeEqual(a, b);
  } catch {
    return false;
  }
}

/** A spawner for non-interactive elevation or none at all: runs argv as a child process (stdio ignored). */
export function processSpawner(prefix: string[] = []): HelperSpawner {
  return (argv) => {
    const full = [...prefix, ...argv];
    const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = tail(stderr + d.toString())));
    return {
      exited: new Promise((resolve) => {
        child.on('error', (e) => resolve({ code: null, stderr: e.message }));
        child.on('close', (code, signal) => resolve({ code, signal, stderr })); // 'close': after its last output was read
      }),
      kill: () => child.kill('SIGKILL'),
    };
  };
}
