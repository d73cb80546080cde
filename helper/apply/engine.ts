/**
 * The engine plan/apply/destroy use: how the host is read and how a plan is made.
 * This is the one place where discovery and planning are plugged in. Today it
 * uses the compact discovery and planner in ./lite/; helper/discover and
 * shared/plan replace them here once they land (same Engine interface).
 */
import type { Topology } from '../../shared/model/schema';
import type { ApplyContext, Engine } from './context';
import { createdKeys } from '../ownership/keys';
import { discoverFor, type LiteObserved } from './lite/discover';
import { afterRemovals, litePlan } from './lite/planner';

export async function defaultEngine(): Promise<Engine> {
  return liteEngine();
}

export function liteEngine(): Engine {
  return {
    async discover(ctx: ApplyContext, desired: Topology) {
      const observed = await discoverFor(desired, { wrap: ctx.wrap });
      return { observed, facts: observed };
    },
    plan(desired, observed, _owned, removals = []) {
      const { observed: after, removals: augmented } = afterRemovals(observed as LiteObserved, removals);
      return [...augmented, ...litePlan(desired, after)];
    },
    buildKeys(desired) {
      return new Set(litePlan(desired, {}).flatMap((s) => (s.action === 'create' ? createdKeys(s) : [s.object])));
    },
  };
}
