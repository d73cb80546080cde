/**
 * The ApplyContext the plan/apply/destroy methods run with (../apply/entry.ts, as
 * the CLI's): the helper-wide `wrap` from its own command line (never from a
 * request), its forwarder runtime (one per wrap: `host` agents start inside it;
 * discover and forwarders.* see the same ones), and a test slowdown bounded so a
 * request never hangs on it.
 */
import { applyContext, type ApplyContext } from '../apply/entry';
import type { MethodContext } from './registry';

export function applyContextOf(ctx: MethodContext): Promise<ApplyContext> {
  return applyContext({ wrap: ctx.connection.settings.wrap, maxStepDelayMs: 1000 });
}
