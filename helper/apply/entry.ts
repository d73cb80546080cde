/**
 * The one way into plan/apply/destroy, for both callers: the helper's methods
 * (helper/methods: the app, over the protocol) and the CLI (which runs the same
 * pipeline in its own process: these commands need root anyway, and a terminal's
 * progress bar and question stay local). Both get their context here, so they
 * plan with the same engine, state dir and forwarder runtime, honour the same
 * test-only knobs, recover an interrupted apply the same way and call the same
 * pipeline functions. The CLI imports nothing else of helper/apply
 * (.dependency-cruiser.cjs `cli-applies-through-entry`).
 */
import type { ApplyContext } from './context';
import { defaultEngine } from './engine';
import type { ForwarderRuntime } from './executor';
import type { ApplyProgress } from '../../shared/protocol/methods';
import { stateDirOf } from './journal';
import { recover, type RecoveryReport } from './recovery';
import { helperForwarders } from '../forwarders/runtime';
import { envSetting } from '../env-overrides';

export {
  applyDocument,
  destroyTopology,
  markChecked,
  planDestroy,
  planDestroyOf,
  planForHost,
  type DestroyPlan,
  type DestroyTarget,
  type PipelinePlan,
} from './pipeline';
export { listTopologies, topologyStatus } from './status';
export { ApplyFailure } from './failure';
export type { ApplyContext } from './context';
export type { Readiness } from './ready';
export type { PlanWarning } from './host-firewall';
export type { RecoveryReport } from './recovery';

export interface EntryOptions {
  /** default: $NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio */
  stateDir?: string;
  /** argv prefix for every process (tests: nsenter into a sandbox); never from a request */
  wrap?: string[];
  /** the forwarder runtime (default: the helper's for this wrap; agents outlive the process) */
  forwarders?: ForwarderRuntime;
  parallel?: boolean;
  onProgress?: (p: ApplyProgress) => void;
  /** upper bound of the test-only slowdown (the helper keeps a request from hanging on it) */
  maxStepDelayMs?: number;
}

/** test-only slowdown between units, so a test can kill the process mid-apply */
function testDelay(max: number): number | undefined {
  const d = Number(envSetting('NETNS_STUDIO_TEST_DELAY_MS') ?? 0);
  return Number.isFinite(d) && d > 0 ? Math.min(d, max) : undefined;
}

/**
 * test-only fault injection (e2e/apply-failure.test.ts): behave as if step N failed.
 * Read from the environment of the process, set by whoever spawned it; no request can set it.
 */
function testFailAt(): number | undefined {
  const v = envSetting('NETNS_STUDIO_TEST_FAIL_AT_STEP');
  return v && /^\d{1,6}$/.test(v) ? Number(v) : undefined;
}

/** The context plan/apply/destroy run with. */
export async function applyContext(o: EntryOptions = {}): Promise<ApplyContext> {
  return {
    engine: await defaultEngine(),
    stateDir: stateDirOf(o.stateDir),
    ...(o.wrap ? { wrap: o.wrap } : {}),
    forwarders: o.forwarders ?? helperForwarders(o.wrap),
    ...(o.parallel !== undefined ? { parallel: o.parallel } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    stepDelayMs: testDelay(o.maxStepDelayMs ?? Infinity),
    failAtStep: testFailAt(),
  };
}

/** An interrupted apply or destroy in the state dir, rolled back (default) or finished; forwarders it started are stopped (or started) like any other step. */
export function recoverInterrupted(
  o: { stateDir?: string; wrap?: string[]; mode?: 'rollback' | 'finish'; forwarders?: ForwarderRuntime } = {},
): Promise<RecoveryReport | undefined> {
  return recover(stateDirOf(o.stateDir), { mode: o.mode, wrap: o.wrap, forwarders: o.forwarders ?? helperForwarders(o.wrap) });
}
