/**
 * The backend↔helper contract, in one file: newline-delimited JSON messages over
 * any duplex stream (stdio, or the connect-back Unix socket), their zod schemas,
 * the error codes and the shapes of the core methods. Both ends validate every message they
 * receive with these schemas.
 *
 *   request   {id, method, params}
 *   response  {id, result} | {id, error: {code, message, detail?}}
 *   event     {event, ref?, seq?, data}   (ref = id of the request it belongs to:
 *                                           a subscription or an apply's progress)
 *
 * The methods themselves (params, result, events) are one table in ./methods.ts.
 *
 * Pure: no node:* imports.
 */
import { z } from 'zod';
import type { Topology } from '../model/schema';
import type { ObservedHost } from '../model/observed';

// the constants and plain types both ends need before any schema (./wire.ts, without zod)
export { PROTOCOL_VERSION, MAX_MESSAGE_BYTES, AUTH_MAGIC, PROTOCOL_ERROR, KERNEL_FEATURES, type KernelFeature, type HelloResult } from './wire';
import { AUTH_MAGIC } from './wire';

// ---------------------------------------------------------------- errors

export const ErrorBody = z.strictObject({
  code: z.string().min(1).max(200),
  message: z.string(),
  detail: z.unknown().optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------- envelopes

export const RequestId = z.union([z.number().int().nonnegative(), z.string().min(1).max(100)]);
export type RequestId = z.infer<typeof RequestId>;

export const Request = z.strictObject({
  id: RequestId,
  method: z.string().min(1).max(100),
  params: z.unknown().optional(),
});
export type Request = z.infer<typeof Request>;

/** id is null only when the request was too broken to read its id. */
export const ResultResponse = z.strictObject({ id: RequestId, result: z.unknown() });
export const ErrorResponse = z.strictObject({ id: RequestId.nullable(), error: ErrorBody });
export const Response = z.union([ResultResponse, ErrorResponse]);
export type Response = z.infer<typeof Response>;

export const Event = z.strictObject({
  event: z.string().min(1).max(100),
  ref: RequestId.optional(),
  seq: z.number().int().nonnegative().optional(),
  data: z.unknown(),
});
export type Event = z.infer<typeof Event>;

/** What the helper may send. */
export const HelperMessage = z.union([ResultResponse, ErrorResponse, Event]);
export type HelperMessage = z.infer<typeof HelperMessage>;

/** Connect-back proof: the first line on the socket. */
export const AuthMessage = z.strictObject({ auth: z.literal(AUTH_MAGIC), secret: z.string().min(16).max(200), pid: z.number().int() });
export type AuthMessage = z.infer<typeof AuthMessage>;

export function isEvent(m: HelperMessage): m is Event {
  return 'event' in m;
}
export function isErrorResponse(m: HelperMessage): m is z.infer<typeof ErrorResponse> {
  return 'error' in m;
}

// ---------------------------------------------------------------- core methods

export const HelloParams = z.strictObject({ client: z.string().max(200).optional() }).optional();

/** Namespace names as they may appear in a request: what `ip netns add` accepts, no path tricks. */
const NsName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,200}$/)
  .refine((s) => s !== '.' && s !== '..', 'not a namespace name');

export const DiscoverParams = z
  .strictObject({
    /** include unnamed namespaces held by processes (containers) */
    unnamed: z.boolean().optional(),
    /** only named namespaces whose name starts with this (tests, people focusing on one rig) */
    onlyPrefix: NsName.optional(),
    /** report names with `onlyPrefix` removed (so a sandboxed scenario reads as written) */
    stripPrefix: z.boolean().optional(),
    /** read iptables nat tables (default true; one extra process per namespace) */
    nat: z.boolean().optional(),
    /** read iptables filter tables too (reachability; one extra process per namespace) */
    filter: z.boolean().optional(),
  })
  .optional();
export type DiscoverParams = z.infer<typeof DiscoverParams>;

export interface DiscoverResult {
  document: Topology;
  observed: ObservedHost;
  /** object keys (model/ids.ts) this product created: filled by the ownership record */
  owned: string[];
}

export const WatchSubscribeParams = DiscoverParams;
export interface WatchSubscribeResult {
  /** pass to watch.unsubscribe; events of this subscription carry it as `ref` */
  subscription: RequestId;
}
export const WatchUnsubscribeParams = z.strictObject({ subscription: RequestId });

// ---------------------------------------------------------------- watch events

/**
 * `event: 'watch'` data: typed per-namespace diffs (a namespace's observed facts and
 * its part of the document), or a resync. The contract and how a client applies it
 * live in ./watch.ts.
 */
export type { NamespacePart, WatchData } from './watch';

export const WATCH_EVENT = 'watch';
