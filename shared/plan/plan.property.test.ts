/**
 * Property tests of the planner against the simulated kernel, for random valid
 * documents d1 (the host) and d2 (the wish), with everything owned:
 *   - the plan applied to d1 gives exactly d2, and planning again gives nothing;
 *   - every step's undo, run last step first, gives d1 back;
 *   - with nothing owned, the only deletions are replacements, flagged unmanaged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plan } from './plan';
import { simulate, simulateUndo } from './simulate';
import { canonicalState, fromTopology, toTopology } from './state';
import { document, documentPair } from '../../testing/arbitrary-topology';

const runs = Number(process.env.PLAN_PROPERTY_RUNS ?? 300);

test('plan(d2, d1) applied to d1 gives d2; re-planning is empty; undo in reverse gives d1', () => {
  fc.assert(
    fc.property(documentPair, ([d1, d2]) => {
      const s1 = fromTopology(d1);
      const steps = plan(d2, d1, { owned: 'all' });
      const after = simulate(steps, s1);
      assert.deepEqual(canonicalState(after), canonicalState(fromTopology(d2)));
      assert.deepEqual(plan(d2, toTopology(after), { owned: 'all' }), []);
      assert.deepEqual(canonicalState(simulateUndo(steps, after)), canonicalState(s1));
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
      const after = simulate(steps, fromTopology(d1));
      assert.deepEqual(canonicalState(simulateUndo(steps, after)), canonicalState(fromTopology(d1)));
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
