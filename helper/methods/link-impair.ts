/**
 * `link.impair {namespace, interface, delayMs?, lossPercent?, clear?}` → {ok, qdisc}:
 * netem delay/loss on one interface (../netem/impair.ts). Refused with
 * `netem-missing` where the kernel lacks sch_netem (this is said, never a silent
 * no-op), `impair-refused` for a namespace not on this host or nothing to set.
 * On `host` (the host's own interfaces: its uplink delayed or cut) it runs only
 * once a person said yes (../confirm/gate.ts); clearing is never asked.
 */
import { PROTOCOL_ERROR } from '../../shared/protocol/messages';
import { LinkImpairParams } from '../../shared/protocol/methods';
import { kernelFeatures } from '../hello/features';
import { NETEM_MISSING, impairArgv, namespaceMissing } from '../netem/impair';
import { runProgram } from '../proc';
import { HOST_NS } from '../../shared/model/schema';
import { confirmOrRefuse } from '../confirm/gate';
import { HelperError, defineMethod } from './registry';

export const linkImpairMethod = defineMethod({
  name: 'link.impair',
  params: LinkImpairParams,
  handler: async (params, ctx) => {
    if (process.getuid?.() !== 0) throw new HelperError(PROTOCOL_ERROR.notRoot, 'link impairment needs root');
    const missing = namespaceMissing(params.namespace);
    if (missing) throw new HelperError('impair-refused', missing);
    const argv = impairArgv(params);
    if (!argv) throw new HelperError('impair-refused', 'nothing to set: give delayMs, lossPercent or clear');
    if (!params.clear && !(await kernelFeatures(ctx.connection.settings.wrap)).netem) throw new HelperError('netem-missing', NETEM_MISSING);
    if (params.namespace === HOST_NS && !params.clear) {
      const what = [params.delayMs !== undefined && `delay ${params.delayMs} ms`, params.lossPercent !== undefined && `loss ${params.lossPercent}%`]
        .filter(Boolean)
        .join(', ');
      await confirmOrRefuse(ctx.connection.settings, { action: 'impair', namespace: params.namespace, interface: params.interface, what }, ctx.signal);
    }
    const r = await runProgram(argv, { wrap: ctx.connection.settings.wrap, timeoutMs: 10_000 });
    if (r.code !== 0) throw new HelperError('impair-failed', `tc failed on ${params.namespace}/${params.interface}: ${r.stderr.trim().slice(0, 300)}`);
    return { ok: true as const, qdisc: argv.slice(argv.indexOf('qdisc') + 1).join(' ') };
  },
});
