/**
 * The engine plan/apply/destroy use: how the host is read (helper/discover, via
 * ./observe.ts) and how a plan is made (shared/plan, the same planner the shell
 * exporter renders). Also what the pure planner cannot know:
 *
 * - removals (steps undoing what we created and the document dropped, decided
 *   from the ownership record) run first, so the planner plans against the host
 *   as the simulated kernel says it will be after them; an address removal's
 *   undo also puts back the routes the kernel drops with it;
 * - `ip link set dev lo up` on an existing namespace whose loopback has no
 *   127.0.0.1/8 gives it one, which `lo down` keeps: the undo removes it again;
 * - a document route without `dev` is satisfied by the device the kernel picked.
 */
import { externalKeys, externalsAsFound } from './externals';
import { HOST_NS, type Topology } from '../../shared/model/schema';
import type { Command, Step } from '../../shared/model/step';
import { objectKey } from '../../shared/model/ids';
import { planStates } from '../../shared/plan/plan';
import { addrDel, routeAdd } from '../../shared/plan/commands';
import { applyCommand } from '../../shared/plan/simulate';
import { cloneState, fromTopology, sameJson, type State } from '../../shared/plan/state';
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
      const desired = externalsAsFound(doc, view.doc);
      const { state, removals: augmented } = afterRemovals(alignRoutes(fromTopology(view.doc), fromTopology(desired)), removals);
      const steps = planStates(fromTopology(desired), state, { owned }).map((s) => withLoopbackUndo(s, view, state));
      return [...augmented, ...steps];
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

/**
 * A document route that names no device (`default via 192.168.1.254`) leaves the
 * choice to the kernel, which then reports the device it picked: such an
 * observed route counts as the document's when everything else is equal.
 */
function alignRoutes(observed: State, desired: State): State {
  const out = cloneState(observed);
  for (const [k, want] of desired.routes) {
    const have = out.routes.get(k);
    if (!have || want.route.dev !== undefined || have.route.dev === undefined) continue;
    const { dev: _dev, ...rest } = have.route;
    if (sameJson(rest, want.route)) out.routes.set(k, { ...have, route: rest });
  }
  return out;
}

/** Apply the removals to the simulated host; add to each address removal's undo the routes it takes along. */
function afterRemovals(observed: State, removals: Step[]): { state: State; removals: Step[] } {
  const state = cloneState(observed);
  const out = removals.map((s) => {
    const before = new Map(state.routes);
    try {
      applyCommand(state, s);
    } catch {
      return s; // already gone on the host (tolerated when it runs): nothing else changes
    }
    if (s.op.op !== 'addr.del') return s;
    const lost: Command[] = [...before].filter(([k]) => !state.routes.has(k)).map(([, r]) => routeAdd(r.ns, r.route));
    return lost.length ? { ...s, undo: [...s.undo, ...lost] } : s;
  });
  return { state, removals: out };
}

/** `lo up` in a namespace that exists and whose loopback has no 127.0.0.1/8: undo also removes the address it gains. */
function withLoopbackUndo(s: Step, view: HostView, planned: State): Step {
  if (s.op.op !== 'link.state' || s.op.name !== 'lo' || !s.op.up) return s;
  const ns = s.namespace;
  if (ns === HOST_NS || !planned.namespaces.has(ns) || !view.bareLoopback.includes(ns)) return s;
  return { ...s, undo: [...s.undo, addrDel(ns, 'lo', '127.0.0.1/8')] };
}
