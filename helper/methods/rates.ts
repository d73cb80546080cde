/**
 * Live throughput over the protocol:
 *
 *   rates.subscribe {minIntervalMs?, onlyPrefix?} → {subscription}, then events
 *       {event: 'rates', ref: subscription, seq, data: LinkRates}
 *     one per sampling interval (helper/rates/sampler.ts: adaptive to the host's
 *     size and to what a reading costs), until rates.unsubscribe {subscription} or
 *     the connection ends. Only links whose rate is not zero are listed, plus those
 *     that just fell to zero, so an idle host of 500 links sends almost nothing.
 */
import type { RequestId } from '../../shared/protocol/messages';
import { PROTOCOL_ERROR } from '../../shared/protocol/messages';
import { RATES_EVENT, RatesSubscribeParams, RatesUnsubscribeParams } from '../../shared/protocol/methods';
import { startSampler } from '../rates/sampler';
import { defineMethod, HelperError } from './registry';

const subKey = (id: RequestId) => `rates:${String(id)}`;

export const ratesSubscribeMethod = defineMethod({
  name: 'rates.subscribe',
  params: RatesSubscribeParams,
  handler: (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'rates need root: the helper runs as uid ' + process.getuid?.());
    const key = subKey(ctx.id);
    ctx.connection.cleanups.get(key)?.();
    let seq = 0;
    let busy = new Set<string>();
    const stop = startSampler({ onlyPrefix: params?.onlyPrefix, minIntervalMs: params?.minIntervalMs }, (s) => {
      const moving = s.rates.filter((r) => r.rxBps || r.txBps || busy.has(r.key));
      busy = new Set(moving.filter((r) => r.rxBps || r.txBps).map((r) => r.key));
      ctx.emit(RATES_EVENT, { ...s, rates: moving }, seq++);
    });
    ctx.connection.cleanups.set(key, stop);
    return { subscription: ctx.id };
  },
});

export const ratesUnsubscribeMethod = defineMethod({
  name: 'rates.unsubscribe',
  params: RatesUnsubscribeParams,
  handler: (params, ctx) => {
    const stop = ctx.connection.cleanups.get(subKey(params.subscription));
    if (!stop) throw new HelperError('unknown-subscription', `no rates subscription ${JSON.stringify(params.subscription)}`);
    stop();
    ctx.connection.cleanups.delete(subKey(params.subscription));
    return { ok: true as const };
  },
});
