/**
 * Forwarder figures over the protocol:
 *
 *   forwarders.list                       → {forwarders: ForwarderLive[]}
 *   forwarders.subscribe {intervalMs?}    → {subscription}, then events
 *       {event: 'forwarders', ref: subscription, seq, data: {stats: ForwarderLive[]}}
 *     the first at once, then whenever a figure changes (polled every intervalMs,
 *     default 1000), until forwarders.unsubscribe {subscription} or the connection ends.
 *
 * ForwarderLive (helper/forwarders/live.ts) carries what shared/backend.ts
 * ForwarderStats reads (name, running, connections, bytesIn, bytesOut, error)
 * plus state, total, failedDials and the spec.
 */
import type { RequestId } from '../../shared/protocol/messages';
import { FORWARDERS_EVENT, ForwardersListParams, ForwardersSubscribeParams, ForwardersUnsubscribeParams } from '../../shared/protocol/methods';
import { liveOf, type ForwarderLive } from '../forwarders/live';
import { helperForwarders } from '../forwarders/runtime';
import { defineMethod, HelperError, type MethodContext } from './registry';

export { FORWARDERS_EVENT };

async function liveFigures(ctx: MethodContext): Promise<ForwarderLive[]> {
  return (await helperForwarders(ctx.connection.settings.wrap).list()).map(liveOf);
}

const subKey = (id: RequestId) => `forwarders:${String(id)}`;

export const forwardersListMethod = defineMethod({
  name: 'forwarders.list',
  params: ForwardersListParams,
  handler: async (_p, ctx) => ({ forwarders: await liveFigures(ctx) }),
});

export const forwardersSubscribeMethod = defineMethod({
  name: 'forwarders.subscribe',
  params: ForwardersSubscribeParams,
  handler: async (params, ctx) => {
    const every = params?.intervalMs ?? 1000;
    let seq = 0;
    let last = '';
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      const stats = await liveFigures(ctx).catch(() => undefined);
      if (stopped) return;
      const text = stats && JSON.stringify(stats);
      if (stats && text !== last) {
        last = text!;
        ctx.emit(FORWARDERS_EVENT, { stats }, seq++);
      }
      timer = setTimeout(tick, every);
    };
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
    };
    ctx.connection.cleanups.set(subKey(ctx.id), stop);
    // the first event goes out right after the response (the client buffers early events anyway)
    timer = setTimeout(tick, 0);
    return { subscription: ctx.id };
  },
});

export const forwardersUnsubscribeMethod = defineMethod({
  name: 'forwarders.unsubscribe',
  params: ForwardersUnsubscribeParams,
  handler: (params, ctx) => {
    const stop = ctx.connection.cleanups.get(subKey(params.subscription));
    if (!stop) throw new HelperError('unknown-subscription', `no forwarders subscription ${JSON.stringify(params.subscription)}`);
    stop();
    ctx.connection.cleanups.delete(subKey(params.subscription));
    return { ok: true as const };
  },
});
