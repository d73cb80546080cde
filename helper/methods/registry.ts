/**
 * The helper's method registry. Each method is one `defineMethod` in its own file
 * and one line in ./index.ts; the server (../server.ts) looks methods up here,
 * validates params with the method's schema and turns thrown failures into
 * typed error responses.
 */
import type { ErrorBody, RequestId } from '../../shared/protocol/messages';
import type { METHOD_TABLE, MethodName, ParamsOf, ResultOf } from '../../shared/protocol/methods';

export interface MethodContext {
  /** id of the request being served (events of a subscription carry it as `ref`) */
  id: RequestId;
  /** send an event tied to this request (progress, subscription data) */
  emit(event: string, data: unknown, seq?: number): void;
  /** per-connection state shared by methods (subscriptions, caches) */
  connection: ConnectionState;
  /** aborted when the connection closes */
  signal: AbortSignal;
  /** bytes written to the connection that the client has not taken yet (a subscription whose client falls behind resyncs) */
  backlog?: () => number;
}

export interface ConnectionState {
  /** cleanups to run when the connection closes, by key (e.g. subscription id) */
  cleanups: Map<string, () => void>;
  /** helper-wide settings from the command line (never from a request) */
  settings: HelperSettings;
}

export interface HelperSettings {
  /** argv prefix for every program the helper runs (tests); never set from a request */
  wrap?: string[];
  /**
   * Who confirms what root is asked to do (../confirm/gate.ts), from the helper's
   * own command line: its supervisor on fd N (`--confirm-fd N`), the process
   * holding its pipes (`--client-confirms`), or nobody (default: those changes are refused).
   */
  confirm?: ConfirmSetting;
}

export type ConfirmSetting = { by: 'supervisor'; fd: number } | { by: 'client' };

/** The handler of one row of the protocol's method table: its name, params schema and result are the table's. */
export interface MethodDef<M extends MethodName = MethodName> {
  name: M;
  params: (typeof METHOD_TABLE)[M]['params'];
  handler(params: ParamsOf<M>, ctx: MethodContext): Promise<ResultOf<M>> | ResultOf<M>;
}

/** Every method of the table, each with its handler: a missing or misspelt one does not compile. */
export type MethodHandlers = { [M in MethodName]: MethodDef<M> };

export function defineMethod<M extends MethodName>(def: MethodDef<M>): MethodDef<M> {
  return def;
}

/** An expected failure, thrown by a method and sent as `{code, message, detail}`. */
export class HelperError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'HelperError';
  }
  toBody(): ErrorBody {
    return this.detail === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, detail: this.detail };
  }
}

/** Errors of other parts that already carry a protocol body (helper/apply's ApplyFailure has `.failure`). */
export function errorBodyOf(e: unknown): ErrorBody | undefined {
  if (e instanceof HelperError) return e.toBody();
  if (e && typeof e === 'object') {
    const f = (e as { failure?: unknown }).failure;
    if (f && typeof f === 'object' && typeof (f as ErrorBody).code === 'string' && typeof (f as ErrorBody).message === 'string') return f as ErrorBody;
  }
  return undefined;
}
