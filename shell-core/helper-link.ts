/**
 * What the shells (browser server, Electron main) need from the privileged helper,
 * whatever way it was started: its status, a way to (re)start it, requests and
 * subscriptions. Implementations: ./stdio-helper-link.ts (already root: spawn it
 * over stdio) and electron/helper-launch.ts (elevated, connect-back socket), and
 * `unavailableHelperLink` (no way to run it: the editor still works).
 */
import type { BackendError, HelperStatus, Result, Unsubscribe } from '../shared/backend';
import { BACKEND_ERROR } from '../shared/backend';

export interface HelperLink {
  status(): HelperStatus;
  onStatus(cb: (status: HelperStatus) => void): Unsubscribe;
  /** start the helper, or retry after a failure; resolves with the new status */
  connect(): Promise<HelperStatus>;
  /** one request; `onEvent` hears the events tied to it (apply progress) */
  call(method: string, params: unknown, onEvent?: (event: unknown) => void): Promise<Result<unknown>>;
  /** a subscription (watch, forwarder stats): events until the returned function is called */
  subscribe(method: string, params: unknown, onEvent: (event: unknown) => void, onError: (error: BackendError) => void): Promise<Result<Unsubscribe>>;
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
    call: async () => ({ ok: false, error }),
    subscribe: async () => ({ ok: false, error }),
    close: async () => {},
  };
}
