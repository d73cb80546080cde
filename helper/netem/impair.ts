/**
 * Link impairment with netem (`tc qdisc replace dev IF root netem delay D loss L%`)
 * inside a namespace, and its removal. Only where the kernel has `sch_netem`
 * (hello's feature probe, ../hello/features.ts): elsewhere the request is refused
 * with words a person can act on. The argv is built from numbers the protocol's
 * schema bounded and an interface name it checked.
 */
import { existsSync } from 'node:fs';
import { HOST_NS } from '../../shared/model/schema';
import type { LinkImpairParams } from '../../shared/protocol/methods';
import { programPath } from '../programs';
import { inNamespace } from '../capture/run';

export const NETEM_MISSING =
  'this kernel has no netem (sch_netem): link impairment (delay, loss) is unavailable here; load it with `modprobe sch_netem` or use a kernel built with CONFIG_NET_SCH_NETEM';

/** The `tc` argv for these params (namespace entered by nsenter); undefined when there is nothing to set. */
export function impairArgv(p: LinkImpairParams): string[] | undefined {
  const tc = [...inNamespace(p.namespace), programPath('tc'), 'qdisc'];
  if (p.clear) return [...tc, 'del', 'dev', p.interface, 'root'];
  const args: string[] = [];
  if (p.delayMs !== undefined) args.push('delay', `${Number(p.delayMs.toFixed(3))}ms`);
  if (p.lossPercent !== undefined) args.push('loss', `${Number(p.lossPercent.toFixed(4))}%`);
  if (!args.length) return undefined;
  return [...tc, 'replace', 'dev', p.interface, 'root', 'netem', ...args];
}

export function namespaceMissing(ns: string): string | undefined {
  return ns !== HOST_NS && !existsSync(`/run/netns/${ns}`) ? `${ns}: no such named namespace on this host` : undefined;
}
