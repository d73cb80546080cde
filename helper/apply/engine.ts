/**
 * The engine plan/apply/destroy use: how the host is read (helper/discover, via
 * ./observe.ts) and how a plan is made on it (shared/plan/host-plan.ts: the
 * planner the shell exporter renders, plus what it needs from the host's facts).
 */
import { externalKeys, externalsAsFound } from './externals';
import { HOST_NS, type Topology } from '../../shared/model/schema';
import { objectKey } from '../../shared/model/ids';
import { planOnHost } from '../../shared/plan/host-plan';
import { fromTopology } from '../../shared/plan/state';
import type { ApplyContext, Engine } from './context';
import { observeFor, type HostView } from './observe';
import { observedForwarders } from '../forwarders/in-document';
import type { RecentReads } from '../discover/index';

export async function defaultEngine(): Promise<Engine> {
  return hostEngine();
}

export function hostEngine(): Engine {
  return {
    async discover(ctx: ApplyContext, desired: Topology, recent?: RecentReads) {
      const view = await observeFor(desired, { wrap: ctx.wrap, recent });
      // running forwarders are host state too: found again, a re-apply does not start them twice
      view.doc.forwarders = await observedForwarders(ctx.forwarders, view.doc);
      const { warnings, ...facts } = view; // warnings follow from the facts: not hashed twice
      return { observed: view, facts, warnings };
    },
    plan(doc, observed, owned, removals = []) {
      const view = observed as HostView;
      return planOnHost(externalsAsFound(doc, view.doc), view, owned, removals);
    },
    buildKeys(desired) {
      const keys = documentKeys(desired);
      for (const k of externalKeys(desired)) keys.delete(k);
      return keys;
    },
    observedKeys(observed) {
      return documentKeys((observed as HostView).doc);
    },
  };
}

/**
 * Object keys a full build of the document creates: every object of its flat
 * state, plus the loopback of each named namespace that turns it up (the objects
 * buildPlan's steps name, without planning).
 */
export function documentKeys(doc: Topology): Set<string> {
  const s = fromTopology(doc);
  const keys = new Set<string>();
  for (const [n, { loopback }] of s.namespaces) {
    if (n === HOST_NS) continue;
    keys.add(objectKey.namespace(n));
    if (loopback === 'up') keys.add(objectKey.loopback(n)); // a fresh namespace's loopback is down already
  }
  for (const m of [s.links, s.addresses, s.routes, s.rules, s.sysctls, s.nat, s.accepts, s.dns, s.forwarders]) for (const k of m.keys()) keys.add(k);
  return keys;
}
