/**
 * `ping`: real pings from namespaces to addresses inside this host, for
 * reachability checks (`reach --verify`, the app's matrix panel).
 *
 *   ping {pings: [{from, to, count?, timeoutMs?}], lanes?} → {results: PingOutcome[]}
 *   events `progress` {done, total} as each ping finishes
 *
 * Refused as a whole (`ping-refused`, nothing run) when a namespace is unknown or
 * an address lives in no namespace of this host. See ../ping/run.ts for bounds.
 */
import { PROTOCOL_ERROR } from '../../shared/protocol/messages';
import { discover } from '../discover/index';
import { PROGRESS_EVENT, PingParams, type PingProgress } from '../../shared/protocol/methods';
import { refusals, runPings } from '../ping/run';
import { HelperError, defineMethod } from './registry';

export const pingMethod = defineMethod({
  name: 'ping',
  params: PingParams,
  handler: async (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'ping needs root (it enters namespaces)');
    const reqs = params.pings.map((p) => ({ from: p.from, to: p.to, count: p.count ?? 1, timeoutMs: p.timeoutMs ?? 1000 }));
    const { observed } = await discover({ nat: false, forwarders: false });
    const refused = refusals(reqs, observed);
    if (refused.length)
      throw new HelperError('ping-refused', `refused ${refused.length} of ${reqs.length} pings; nothing was sent: ${refused.slice(0, 5).join('; ')}`, {
        refused,
      });
    const onDone = (done: number, total: number) => ctx.emit(PROGRESS_EVENT, { done, total } satisfies PingProgress, done);
    return { results: await runPings(reqs, { lanes: params.lanes ?? 8, wrap: ctx.connection.settings.wrap, onDone }) };
  },
});
