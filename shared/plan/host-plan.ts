/**
 * Planning against a real host: what the pure planner (./plan.ts) cannot know
 * from two documents alone, from the facts discover read (helper/apply/observe.ts):
 *
 * - removals (steps undoing what we created and the document dropped, decided
 *   from the ownership record) run first, so the planner plans against the host
 *   as the simulated kernel says it will be after them; an address removal's
 *   undo also puts back the routes the kernel drops with it;
 * - `ip link set dev lo up` on an existing namespace whose loopback has no
 *   127.0.0.1/8 gives it one, which `lo down` keeps: the undo removes it again;
 * - a document route without `dev` is satisfied by the device the kernel picked.
 *
 * Pure: the property test (./plan.property.test.ts) and the apply engine use it alike.
 */
import { HOST_NS, type Topology } from '../model/schema';
import type { Command, Step } from '../model/step';
import { planStates, type Ownership } from './plan';
import { addrDel, routeAdd } from './commands';
import { applyCommand } from './simulate';
import { canonicalRoute, cloneState, fromTopology, routeKey, sameJson, type State } from './state';

/** What discover saw beyond the document: the host as a document, and the named namespaces whose loopback has no 127.0.0.1/8. */
export interface HostFacts {
  doc: Topology;
  bareLoopback: readonly string[];
}

/** The steps that turn the host into `desired`: `removals` first (with the undo they need), then the planner's. */
export function planOnHost(desired: Topology, host: HostFacts, owned: Ownership, removals: Step[] = []): Step[] {
  const { state, removals: augmented } = afterRemovals(alignRoutes(fromTopology(host.doc), fromTopology(desired)), removals);
  const steps = planStates(fromTopology(desired), state, { owned }).map((s) => withLoopbackUndo(s, host, state));
  return [...augmented, ...steps];
}

/**
 * A document route that names no device (`default via 192.168.1.254`) leaves the
 * choice to the kernel, which then reports the device it picked: such an
 * observed route counts as the document's when everything else is equal.
 */
export function alignRoutes(observed: State, desired: State): State {
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
export function afterRemovals(observed: State, removals: Step[]): { state: State; removals: Step[] } {
  const state = cloneState(observed);
  const out = removals.map((s) => {
    const before = new Map(state.routes);
    try {
      applyCommand(state, s);
    } catch {
      return s; // already gone on the host (tolerated when it runs): nothing else changes
    }
    if (s.op.op !== 'addr.del') return s;
    // what the undo puts back already (a removal the planner made carries them) is not added twice
    const restored = new Set(s.undo.flatMap((u) => (u.op.op === 'route.add' ? [routeKey(u.namespace, canonicalRoute(u.op.route))] : [])));
    const lost: Command[] = [...before].filter(([k]) => !state.routes.has(k) && !restored.has(k)).map(([, r]) => routeAdd(r.ns, r.route));
    return lost.length ? { ...s, undo: [...s.undo, ...lost] } : s;
  });
  return { state, removals: out };
}

/** `lo up` in a namespace that exists and whose loopback has no 127.0.0.1/8: undo also removes the address it gains. */
export function withLoopbackUndo(s: Step, view: Pick<HostFacts, 'bareLoopback'>, planned: State): Step {
  if (s.op.op !== 'link.state' || s.op.name !== 'lo' || !s.op.up) return s;
  const ns = s.namespace;
  if (ns === HOST_NS || !planned.namespaces.has(ns) || !view.bareLoopback.includes(ns)) return s;
  return { ...s, undo: [...s.undo, addrDel(ns, 'lo', '127.0.0.1/8')] };
}
