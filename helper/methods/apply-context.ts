/**
 * The ApplyContext the plan/apply/destroy methods run with: the engine, the
 * state dir ($NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio), the helper-wide
 * `wrap` from its own command line (never from a request), and the forwarder
 * runtime (it makes its run directory only when it first starts a forwarder).
 */
import type { ApplyContext } from '../apply/context';
import { defaultEngine } from '../apply/engine';
import type { ForwarderRuntime } from '../apply/executor';
import { helperForwarders } from '../forwarders/runtime';
import type { MethodContext } from './registry';
import { envSetting } from '../env-overrides';

/** one runtime per wrap: `host` agents start inside it (tests: the sandbox); discover and forwarders.* see the same ones */
const forwardersOf = (ctx: MethodContext): ForwarderRuntime => helperForwarders(ctx.connection.settings.wrap);

/** test-only slowdown between units, so a test can kill the helper mid-apply (as the CLI honours it) */
function testDelay(): number | undefined {
  const d = Number(envSetting('NETNS_STUDIO_TEST_DELAY_MS') ?? 0);
  return Number.isFinite(d) && d > 0 ? Math.min(d, 1000) : undefined;
}

/**
 * test-only fault injection (e2e/apply-failure.test.ts): behave as if step N failed.
 * Read from the environment of the helper process, set by whoever spawned it; no
 * request can set it.
 */
function testFailAt(): number | undefined {
  const v = envSetting('NETNS_STUDIO_TEST_FAIL_AT_STEP');
  return v && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
}

export async function applyContextOf(ctx: MethodContext): Promise<ApplyContext> {
  return { engine: await defaultEngine(), wrap: ctx.connection.settings.wrap, forwarders: forwardersOf(ctx), stepDelayMs: testDelay(), failAtStep: testFailAt() };
}
