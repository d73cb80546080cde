/**
 * Serves the protocol on one duplex stream: reads NDJSON requests, hands each to
 * the dispatcher (./dispatch.ts: envelope and params checked by their schemas,
 * the method looked up) and writes responses and events. Nothing a client sends
 * can stop it: broken or oversized lines get an error response (id null when
 * unreadable) and the next line is read.
 *
 * No zod here: the dispatcher may be loaded on the first request that needs it,
 * and `early` answers what it can before that (the helper's first hello, ./main.ts).
 */
import type { Readable, Writable } from 'node:stream';
import { MAX_MESSAGE_BYTES, PROTOCOL_ERROR } from '../shared/protocol/wire';
import type { ErrorBody, RequestId } from '../shared/protocol/messages';
import { encodeLine, readLines } from './transport/ndjson';
import type { ConnectionState, HelperSettings, MethodContext } from './methods/registry';

/**
 * What one request asks for: an error to answer at once, or a call of a method whose
 * params were checked. The call turns the method's expected failures into their
 * error body itself (the class they are thrown as may live in another bundle than
 * this server's: ./methods-loader.ts); anything else it throws is a bug (`internal`).
 */
export type Routed = { id: RequestId | null; error: ErrorBody } | { id: RequestId; method: string; call(ctx: MethodContext): Promise<Outcome> };
export type Outcome = { result: unknown } | { error: ErrorBody };
/** Reads one parsed request line (anything JSON.parse gave). */
export type Dispatch = (raw: unknown) => Routed;

export interface ServeOptions {
  input: Readable;
  output: Writable;
  /** loads the dispatcher (once, on the first request `early` does not answer) */
  dispatch: () => Promise<Dispatch>;
  /** answers the requests it recognises without the dispatcher; undefined passes one on */
  early?: (raw: unknown) => Routed | undefined;
  settings?: HelperSettings;
  maxBytes?: number;
  /** diagnostics (stderr); never the protocol stream */
  log?: (line: string) => void;
}

export interface Served {
  /** resolves when the input ends or errors (the client went away) */
  done: Promise<void>;
  close(): void;
}

export function serve(opts: ServeOptions): Served {
  const maxBytes = opts.maxBytes ?? MAX_MESSAGE_BYTES;
  let loaded: Promise<Dispatch> | undefined;
  const dispatch = (): Promise<Dispatch> => (loaded ??= opts.dispatch());
  const abort = new AbortController();
  const connection: ConnectionState = { cleanups: new Map(), settings: opts.settings ?? {} };
  const log = opts.log ?? (() => {});

  const send = (msg: unknown) => {
    if (opts.output.destroyed || opts.output.writableEnded) return;
    let line: string;
    try {
      line = encodeLine(msg, maxBytes);
    } catch (e) {
      // a result too big for the wire becomes an error for that request
      const id = (msg as { id?: RequestId }).id ?? null;
      if ('event' in (msg as object)) return log(`dropped oversized event: ${(e as Error).message}`);
      line = encodeLine({ id, error: { code: PROTOCOL_ERROR.tooLarge, message: (e as Error).message } });
    }
    opts.output.write(line);
  };
  const sendError = (id: RequestId | null, body: ErrorBody) => send({ id, error: body });

  // requests still being served when the input ends: answered before `done`
  const inflight = new Set<Promise<void>>();
  const handle = async (line: string) => {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      return sendError(null, { code: PROTOCOL_ERROR.badMessage, message: `not JSON: ${(e as Error).message}` });
    }
    let routed: Routed;
    try {
      routed = opts.early?.(raw) ?? (await dispatch())(raw);
    } catch (e) {
      log(`loading the methods failed: ${(e as Error)?.stack ?? e}`);
      const id = (raw as { id?: unknown })?.id;
      return sendError(typeof id === 'number' || typeof id === 'string' ? id : null, {
        code: PROTOCOL_ERROR.internal,
        message: `the helper could not load its methods: ${(e as Error)?.message ?? String(e)}`,
      });
    }
    if ('error' in routed) return sendError(routed.id, routed.error);
    const { id, method } = routed;
    try {
      const outcome = await routed.call({
        id,
        connection,
        signal: abort.signal,
        backlog: () => opts.output.writableLength ?? 0,
        emit: (event, data, seq) => send(seq === undefined ? { event, ref: id, data } : { event, ref: id, seq, data }),
      });
      if ('error' in outcome) sendError(id, outcome.error);
      else send({ id, result: outcome.result ?? null });
    } catch (e) {
      log(`method ${method} failed: ${(e as Error)?.stack ?? e}`);
      sendError(id, { code: PROTOCOL_ERROR.internal, message: `${method} failed: ${(e as Error)?.message ?? String(e)}` });
    }
  };

  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  const finish = () => {
    if (abort.signal.aborted) return;
    abort.abort();
    for (const c of connection.cleanups.values()) {
      try {
        c();
      } catch {
        /* best effort */
      }
    }
    connection.cleanups.clear();
    // a client may send its requests and half-close (`echo … | helper`): answer them,
    // and let the answers reach the wire before whoever awaits `done` exits the process
    void Promise.allSettled([...inflight])
      .then(() => flushed(opts.output))
      .then(resolveDone);
  };
  readLines(
    opts.input,
    {
      onLine: (line) => {
        const p = handle(line);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      },
      onOversize: (bytes) => sendError(null, { code: PROTOCOL_ERROR.tooLarge, message: `message larger than ${maxBytes} bytes (${bytes}+) dropped` }),
    },
    maxBytes,
  );
  opts.input.on('end', finish);
  opts.input.on('close', finish);
  opts.input.on('error', finish);
  opts.output.on('error', finish);
  return { done, close: finish };
}

/** Resolves once everything written to `output` has been handed to the OS (or the stream is gone). */
function flushed(output: Writable): Promise<void> {
  if (output.destroyed || output.writableLength === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      output.off('drain', done);
      output.off('close', done);
      output.off('error', done);
      resolve();
    };
    output.on('drain', done);
    output.on('close', done);
    output.on('error', done);
  });
}
