/**
 * Serves the protocol on one duplex stream: reads NDJSON requests, validates the
 * envelope and the params, dispatches to the method registry and writes
 * responses and events. Nothing a client sends can stop it: broken or oversized
 * lines get an error response (id null when unreadable) and the next line is read.
 */
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';
import { MAX_MESSAGE_BYTES, PROTOCOL_ERROR, Request, type ErrorBody, type RequestId } from '../shared/protocol/messages';
import { encodeLine, readLines } from './transport/ndjson';
import { errorBodyOf, type ConnectionState, type HelperSettings, type MethodContext, type MethodDef } from './methods/registry';

/** A method as the dispatcher sees it: looked up by the name on the wire, its params checked by its own schema. */
type Dispatchable = { name: string; params: z.ZodType; handler(params: unknown, ctx: MethodContext): unknown };

export interface ServeOptions {
  input: Readable;
  output: Writable;
  methods: readonly MethodDef[];
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
  const table = new Map<string, Dispatchable>(opts.methods.map((m): [string, Dispatchable] => [m.name, m]));
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
    const req = Request.safeParse(raw);
    if (!req.success) {
      const id = Request.shape.id.safeParse((raw as { id?: unknown })?.id);
      return sendError(id.success ? id.data : null, { code: PROTOCOL_ERROR.badMessage, message: 'not a request {id, method, params}', detail: z.treeifyError(req.error) });
    }
    const { id, method, params } = req.data;
    const def = table.get(method);
    if (!def) return sendError(id, { code: PROTOCOL_ERROR.unknownMethod, message: `unknown method ${JSON.stringify(method)}`, detail: { known: [...table.keys()] } });
    const parsed = def.params.safeParse(params);
    if (!parsed.success) return sendError(id, { code: PROTOCOL_ERROR.badParams, message: `bad params for ${method}: ${z.prettifyError(parsed.error)}`, detail: z.treeifyError(parsed.error) });
    try {
      const result = await def.handler(parsed.data, {
        id,
        connection,
        signal: abort.signal,
        backlog: () => opts.output.writableLength ?? 0,
        emit: (event, data, seq) => send(seq === undefined ? { event, ref: id, data } : { event, ref: id, seq, data }),
      });
      send({ id, result: result ?? null });
    } catch (e) {
      const body = errorBodyOf(e);
      if (body) return sendError(id, body);
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
      try { c(); } catch { /* best effort */ }
    }
    connection.cleanups.clear();
    // a client may send its requests and half-close (`echo … | helper`): answer them,
    // and let the answers reach the wire before whoever awaits `done` exits the process
    void Promise.allSettled([...inflight]).then(() => flushed(opts.output)).then(resolveDone);
  };
  readLines(opts.input, {
    onLine: (line) => {
      const p = handle(line);
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
    onOversize: (bytes) => sendError(null, { code: PROTOCOL_ERROR.tooLarge, message: `message larger than ${maxBytes} bytes (${bytes}+) dropped` }),
  }, maxBytes);
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
