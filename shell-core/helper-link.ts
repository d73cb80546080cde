/**
 * What the shells (browser server, Electron main) need from the privileged helper,
 * whatever way it was started: its status, a way to (re)start it, requests and
 * subscriptions. Implementations: ./stdio-helper-link.ts (already root: spawn it
 * over stdio) and electron/helper-launch.ts (elevated, connect-back socket), and
 * `unavailableHelperLink` (no way to run it: the editor still works).
 */
import type { BackendError, HelperStatus, Result, Unsubscribe, WatchEvent } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';
import { FORWARDERS_EVENT, RATES_EVENT, type EventsOf, type MethodName, type ParamsIn, type ResultOf } from '../shared/protocol/methods';
import { WATCH_EVENT } from '../shared/protocol/messages';
import type { RequestId } from '../shared/protocol/messages';

/** A running subscription: call it to end it; `id` is the helper's subscription id (terminal.input names it). */
export type SubscriptionHandle = Unsubscribe & { id?: RequestId };

/** The data of any event a method sends tied to its request (apply's progress). */
export type EventDataOf<M extends MethodName> = EventsOf<M>[keyof EventsOf<M>];

/** The shells' subscriptions → the helper protocol: the method that opens one, the one that ends it, the event it streams. */
export const SUBSCRIPTIONS = {
  watch: { method: 'watch.subscribe', unsubscribe: 'watch.unsubscribe', event: WATCH_EVENT },
  forwarderStats: { method: 'forwarders.subscribe', unsubscribe: 'forwarders.unsubscribe', event: FORWARDERS_EVENT },
  capture: { method: 'capture.start', unsubscribe: 'capture.stop', event: 'capture' },
  terminal: { method: 'terminal.open', unsubscribe: 'terminal.close', event: 'terminal' },
  linkRates: { method: 'rates.subscribe', unsubscribe: 'rates.unsubscribe', event: RATES_EVENT },
} as const satisfies Record<string, { method: MethodName; unsubscribe: MethodName; event: string }>;

export type SubscriptionKind = keyof typeof SUBSCRIPTIONS;
type SubscriptionMethod<K extends SubscriptionKind> = (typeof SUBSCRIPTIONS)[K]['method'];
export type SubscriptionParams<K extends SubscriptionKind> = ParamsIn<SubscriptionMethod<K>>;
/** What a subscription of kind K streams (a watch: the helper's numbered WatchEvent, checked for gaps by the link). */
export type SubscriptionEvent<K extends SubscriptionKind> = K extends 'watch'
  ? WatchEvent
  : EventsOf<SubscriptionMethod<K>>[(typeof SUBSCRIPTIONS)[K]['event'] & keyof EventsOf<SubscriptionMethod<K>>];

export interface HelperLink {
  status(): HelperStatus;
  onStatus(cb: (status: HelperStatus) => void): Unsubscribe;
  /** start the helper, or retry after a failure; resolves with the new status */
  connect(): Promise<HelperStatus>;
  /** one request, typed by the protocol's method table; `onEvent` hears the events tied to it (apply progress) */
  call<M extends MethodName>(method: M, params: ParamsIn<M>, onEvent?: (event: EventDataOf<M>) => void): Promise<Result<ResultOf<M>>>;
  /** a subscription (watch, forwarder stats, capture, terminal, link rates), typed by the method table: events until the returned function is called */
  subscribe<K extends SubscriptionKind>(
    kind: K,
    params: SubscriptionParams<K>,
    onEvent: (event: SubscriptionEvent<K>) => void,
    onError: (error: BackendError) => void,
  ): Promise<Result<SubscriptionHandle>>;
  close(): Promise<void>;
}

/** A link to no helper: every live request fails with a clear reason. */
export function unavailableHelperLink(reason: string): HelperLink {
  const error: BackendError = { code: BACKEND_ERROR.helperUnavailable, message: reason };
  const status: HelperStatus = { state: 'unavailable', error, canRetry: false };
  return {
    status: () => status,
    onStatus: () => () => {},
    connect: async () => status,
    call: async () => ({ ok: false as const, error }),
    subscribe: async () => ({ ok: false, error }),
    close: async () => {},
  };
}
