/**
 * `watch.subscribe` / `watch.unsubscribe` (shared/protocol/messages.ts): a
 * WatchSession (helper/watch/session.ts) per subscription, sending `watch`
 * events (WatchData, numbered by `seq`) tied to the subscribe request. The first
 * event, a resync, is sent before the subscribe answer. A subscription ends with
 * watch.unsubscribe or when its connection closes; the kernel monitor stops with
 * the last one.
 */
import {
  PROTOCOL_ERROR,
  WATCH_EVENT,
  WatchSubscribeParams,
  WatchUnsubscribeParams,
  type RequestId,
  type WatchSubscribeResult,
} from '../../shared/protocol/messages';
import { WatchSession } from '../watch/session';
import { defineMethod, HelperError } from './registry';

const subKey = (id: RequestId) => `watch:${String(id)}`;

export const watchSubscribeMethod = defineMethod({
  name: 'watch.subscribe',
  params: WatchSubscribeParams,
  handler: async (params, ctx): Promise<WatchSubscribeResult> => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'watch needs root: the helper runs as uid ' + process.getuid?.());
    const key = subKey(ctx.id);
    ctx.connection.cleanups.get(key)?.(); // a reused request id replaces its old subscription
    const session = new WatchSession(
      { ...params, wrap: ctx.connection.settings.wrap, log: (line) => process.stderr.write(`netns-studio-helper: ${line}\n`) },
      { emit: (data, seq) => ctx.emit(WATCH_EVENT, data, seq), backlog: ctx.backlog },
    );
    // registered before the first read, so a connection closing meanwhile stops it
    ctx.connection.cleanups.set(key, () => session.stop());
    try {
      await session.ready;
    } catch (e) {
      session.stop();
      ctx.connection.cleanups.delete(key);
      throw new HelperError('watch-failed', `cannot watch: ${(e as Error).message}`);
    }
    return { subscription: ctx.id };
  },
});

export const watchUnsubscribeMethod = defineMethod({
  name: 'watch.unsubscribe',
  params: WatchUnsubscribeParams,
  handler: (params, ctx) => {
    const key = subKey(params.subscription);
    const stop = ctx.connection.cleanups.get(key);
    if (!stop) throw new HelperError('unknown-subscription', `no watch subscription ${JSON.stringify(params.subscription)} on this connection`);
    ctx.connection.cleanups.delete(key);
    stop();
    return { ok: true as const };
  },
});
