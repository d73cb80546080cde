/**
 * `ping`: real pings from namespaces to addresses inside this host, for
 * reachability checks (`reach --verify`, the app's matrix panel).
 *
 *   ping {pings: [{from, to, count?, timeoutMs?}], lanes?} → {results: PingOutcome[]}
 *
 * Refused as a whole (`ping-refused`, nothing run) when a namespace is unknown or
 * an address lives in no namespace of this host. See ../ping/run.ts for bounds.
 */
import { z } from 'zod';
import { PROTOCOL_ERROR } from '../../shared/protocol/messages';
import { discover } from '../discover/index';
import { MAX_LANES, MAX_PINGS, refusals, runPings, type PingOutcome } from '../ping/run';
import { HelperError, defineMethod } from './registry';

const NsName = z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/).refine((s) => s !== '.' && s !== '..', 'not a namespace name');

export const PingParams = z.strictObject({
  pings: z
    .array(
      z.strictObject({
        /** `host` or a named namespace */
        from: NsName,
        to: z.string().min(2).max(45),
        count: z.number().int().min(1).max(3).optional(),
        timeoutMs: z.number().int().min(100).max(5000).optional(),
      }),
    )
    .min(1)
    .max(MAX_PINGS),
  lanes: z.number().int().min(1).max(MAX_LANES).optional(),
});
export type PingParams = z.infer<typeof PingParams>;

declare module '../../shared/protocol/messages' {
  interface Methods {
    ping: { params: PingParams; result: { results: PingOutcome[] } };
  }
}

export const pingMethod = defineMethod({
  name: 'ping',
  params: PingParams,
  handler: async (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'ping needs root (it enters namespaces)');
    const reqs = params.pings.map((p) => ({ from: p.from, to: p.to, count: p.count ?? 1, timeoutMs: p.timeoutMs ?? 1000 }));
    const { observed } = await discover({ nat: false, forwarders: false });
    const refused = refusals(reqs, observed);
    if (refused.length) throw new HelperError('ping-refused', `refused ${refused.length} of ${reqs.length} pings; nothing was sent: ${refused.slice(0, 5).join('; ')}`, { refused });
    return { results: await runPings(reqs, { lanes: params.lanes ?? 8, wrap: ctx.connection.settings.wrap }) };
  },
});
