/**
 * Property tests of the planner, for random valid documents d1 (the host) and d2
 * (the wish), with everything owned. Each plan runs on two kernel models: the
 * planner's own (./simulate.ts, which computes the undo lists) and an independent
 * one (testing/kernel-model.ts), which is the oracle for undo:
 *   - the plan applied to d1 gives exactly d2 on both, and planning again gives nothing;
 *   - every step's undo, run last step first, gives d1 back (independent model);
 *   - with nothing owned, the only deletions are replacements, flagged unmanaged;
 *   - planning on a host (./host-plan.ts: removals from the ownership record run
 *     first, document routes without a device) does the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plan } from './plan';
import { planOnHost } from './host-plan';
import type { Step } from '../model/step';
import { objectKey } from '../model/ids';
import { addrAdd, addrDel } from './commands';
import { applyCommand, simulate } from './simulate';
import { kernelOf, runSteps, runUndo, snapshot } from '../../testing/kernel-model';
import { canonicalState, cloneState, fromTopology, type State } from './state';
import { toTopology } from './to-topology';
import { document, documentPair } from '../../testing/arbitrary-topology';

const runs = Number(process.env.PLAN_PROPERTY_RUNS ?? 300);

/**
 * On the independent model: `steps` take `from` to `to`, and their undo, last
 * first, back to `from`. Loopback addresses compare one way: the undo may not
 * leave a 127.0.0.1/8 the host did not have (lo up gives one), while a namespace
 * deleted and made again by the undo comes back as `ip netns add` makes it.
 */
function oracle(steps: Step[], from: State, to: State, bare: readonly string[] = []): void {
  const k = runSteps(kernelOf(from, bare), steps);
  assert.deepEqual(snapshot(k, { lo127: false }), snapshot(kernelOf(to), { lo127: false }), 'the independent model ends at d2');
  const start = kernelOf(from, bare);
  runUndo(k, steps);
  assert.deepEqual(snapshot(k, { lo127: false }), snapshot(start, { lo127: false }), 'undo in reverse on the independent model gives d1');
  for (const [ns, lo] of k.netns) assert.ok(!lo.lo127 || start.netns.get(ns)!.lo127, `the undo leaves 127.0.0.1/8 on lo of ${ns}, which it did not have`);
}

test('plan(d2, d1) applied to d1 gives d2; re-planning is empty; undo in reverse gives d1', () => {
  fc.assert(
    fc.property(documentPair, ([d1, d2]) => {
      const s1 = fromTopology(d1);
      const steps = plan(d2, d1, { owned: 'all' });
      const after = simulate(steps, s1);
      assert.deepEqual(canonicalState(after), canonicalState(fromTopology(d2)));
      assert.deepEqual(plan(d2, toTopology(after), { owned: 'all' }), []);
      oracle(steps, s1, fromTopology(d2));
    }),
    { numRuns: runs },
  );
});

test('a document is its own fixed point, and survives toTopology', () => {
  fc.assert(
    fc.property(document, (d) => {
      assert.deepEqual(plan(d, d, { owned: 'all' }), []);
      assert.deepEqual(canonicalState(fromTopology(toTopology(fromTopology(d)))), canonicalState(fromTopology(d)));
    }),
    { numRuns: runs },
  );
});

test('with nothing owned, plans delete only what the document names in another form (unmanaged)', () => {
  fc.assert(
    fc.property(documentPair, ([d1, d2]) => {
      const steps = plan(d2, d1);
      const s1 = fromTopology(d1);
      const s2 = fromTopology(d2);
      for (const s of steps.filter((x) => x.action === 'delete')) {
        assert.equal(s.unmanaged, true, `${s.object} deleted though not owned: ${s.argv.join(' ')}`);
        // a link the document names (or the other end of a veth it names) in another form
        const peer = s1.links.get(s.object)?.peer;
        const named = s2.links.has(s.object) || (peer !== undefined && s2.links.has(`link:${peer.ns}/${peer.name}`));
        assert.ok(named, `${s.object} is not named by the document`);
      }
      // the plan is still executable on d1 and still undoable
      oracle(steps, s1, simulate(steps, s1));
    }),
    { numRuns: runs },
  );
});

test('plans are deterministic', () => {
  fc.assert(
    fc.property(documentPair, ([d1, d2]) => {
      assert.deepEqual(plan(d2, d1, { owned: 'all' }), plan(d2, d1, { owned: 'all' }));
    }),
    { numRuns: 50 },
  );
});

/**
 * Removals as the ownership record gives them (steps undoing what we created,
 * each undo the original command): up to `k` deletions the plan toward d2 starts with,
 * then some of the addresses left, deleted by hand-made steps (undo: add it back,
 * nothing more: planOnHost must add the routes the kernel drops with it).
 */
function removalsOf(steps: Step[], k: number, pick: boolean[], start: State): Step[] {
  const s = cloneState(start);
  const deletes = steps.findIndex((st) => st.action !== 'delete');
  const first = steps.slice(0, Math.min(k, deletes < 0 ? steps.length : deletes));
  for (const st of first) applyCommand(s, st);
  const addresses = [...s.addresses.values()]
    .filter((a, i) => pick[i % pick.length])
    .map((a): Step => ({
      ...addrDel(a.ns, a.dev, a.cidr),
      undo: [addrAdd(a.ns, a.dev, a.cidr)],
      reason: 'dropped from the document',
      object: objectKey.address(a.ns, a.dev, a.cidr),
      action: 'delete',
    }));
  return [...first, ...addresses];
}

test('planOnHost: removals first, then the plan, gives d2; undo in reverse (routes an address removal takes along too) gives d1', () => {
  let augmented = 0,
    loUndo = 0;
  fc.assert(
    fc.property(documentPair, fc.nat(8), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), ([d1, d2], k, pick) => {
      const s1 = fromTopology(d1);
      const removals = removalsOf(plan(d2, d1, { owned: 'all' }), k, pick, s1);
      // existing namespaces whose loopback is down and has no 127.0.0.1/8 (lo up gives it one: the undo takes it away)
      const bare = d1.namespaces.filter((n, i) => n.name !== 'host' && n.loopback === 'down' && pick[(i + 1) % pick.length]).map((n) => n.name);
      const steps = planOnHost(d2, { doc: d1, bareLoopback: bare }, 'all', removals);
      loUndo += steps.filter((x) => x.undo.some((u) => u.op.op === 'addr.del' && u.op.dev === 'lo')).length;
      augmented += steps.slice(0, removals.length).filter((x, i) => x.undo.length > removals[i].undo.length).length;
      assert.deepEqual(
        steps.slice(0, removals.length).map((x) => x.op),
        removals.map((x) => x.op),
        'removals run first, as given',
      );
      const after = simulate(steps, s1);
      assert.deepEqual(canonicalState(after), canonicalState(fromTopology(d2)));
      assert.deepEqual(planOnHost(d2, { doc: toTopology(after), bareLoopback: [] }, 'all'), []);
      oracle(steps, s1, fromTopology(d2), bare);
    }),
    { numRuns: runs },
  );
  assert.ok(augmented > 0, 'some address removal took routes along (its undo puts them back)');
  assert.ok(loUndo > 0, 'some lo up on a bare loopback (its undo takes 127.0.0.1/8 away)');
});
