/**
 * What plan/apply/destroy need from the rest of the helper, injected so each part
 * can be tested alone: discovery (helper/discover), the planner (shared/plan), the
 * forwarder runtime, and where state lives.
 */
import type { Topology } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import type { ExecuteOptions, ForwarderRuntime } from './executor';
import type { ApplyProgress } from '../../shared/protocol/methods';
import type { PlanWarning } from './host-firewall';
import type { RecentReads } from '../discover/index';

export interface Engine {
  /**
   * Read the host fresh (at least what `desired` talks about). `facts` is what the
   * plan depends on (no counters or oper state): it goes into the plan hash.
   * `recent`: namespaces this process has just read (apply's readiness wait),
   * taken as read instead of reading them again.
   */
  discover(ctx: ApplyContext, desired: Topology, recent?: RecentReads): Promise<{ observed: unknown; facts: unknown; warnings?: PlanWarning[] }>;
  /**
   * The planner: steps that turn `observed` into `desired`, deleting only objects
   * in `owned` that the document lacks. `removals` are steps, already decided,
   * that remove objects we created and the document dropped: they run first, so
   * the planner plans against the host as it will be after them (and may add to
   * their undo what the kernel removes along with them, such as routes).
   */
  plan(desired: Topology, observed: unknown, owned: ReadonlySet<string>, removals?: Step[]): Step[];
  /** Object keys a full build of the document creates (its plan against an empty host). */
  buildKeys(desired: Topology): Set<string>;
  /** Object keys of what `discover` saw (the namespaces that exist and the objects in them): reconcile reads them. */
  observedKeys(observed: unknown): Set<string>;
}

export interface KernelFeatures {
  vrf: boolean;
  iptables: boolean;
}

export interface ApplyContext {
  engine: Engine;
  /** default: $NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio */
  stateDir?: string;
  forwarders?: ForwarderRuntime;
  /** in-process runners of non-kernel step programs, by name (see executor StepHandler) */
  handlers?: ExecuteOptions['handlers'];
  /** what the kernel can do (from hello); probed when absent */
  features?: KernelFeatures;
  /** argv prefix for every process (tests: nsenter into a sandbox). Never from a request. */
  wrap?: string[];
  parallel?: boolean;
  concurrency?: number;
  /** test-only fault injection, see ExecuteOptions.failAtStep */
  failAtStep?: number;
  /** test-only slowdown, see ExecuteOptions.stepDelayMs */
  stepDelayMs?: number;
  onProgress?: (p: ApplyProgress) => void;
}
