/**
 * Records of the previous version hold argv only: every command the planner
 * writes (the six scenarios built, re-planned, destroyed; undo and checks too)
 * reads back from its argv as the same operation, and what no plan holds is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Command, Step } from '../model/step';
import { buildPlan, destroyPlan, plan } from './plan';
import { commandFromArgv, opFromArgv, stepWithOps } from './legacy-argv';
import { loadScenarios } from '../../testing/scenarios';
import { documentPair } from '../../testing/arbitrary-topology';

const commands = (steps: Step[]): Command[] => steps.flatMap((s) => [s, ...s.undo, ...(s.exists ? [s.exists] : [])]);
const canonical = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(canonical) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, canonical(x)])) : v;
const readsBack = (c: Command) => assert.deepEqual(canonical(opFromArgv(c.namespace, c.argv)), canonical(c.op), `${c.namespace}: ${c.argv.join(' ')}`);

test('every command of the scenarios reads back from its argv as its operation', () => {
  let n = 0;
  for (const s of loadScenarios()) {
    for (const c of commands([...buildPlan(s.doc), ...destroyPlan(s.doc)])) {
      readsBack(c);
      n++;
    }
  }
  assert.ok(n > 100, `${n} commands`);
});

test('every command of random plans reads back from its argv as its operation', () => {
  fc.assert(fc.property(documentPair, ([d1, d2]) => commands(plan(d2, d1, { owned: 'all' })).forEach(readsBack)), { numRuns: 100 });
});

test('an old step (argv only) gets its operations; a form no plan holds is refused', () => {
  const old = { namespace: 'a', argv: ['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'e0'], undo: [{ namespace: 'a', argv: ['ip', 'addr', 'del', '10.0.0.1/24', 'dev', 'e0'] }], reason: 'r', object: 'addr:a/e0/10.0.0.1/24', action: 'create' as const };
  const s = stepWithOps(old);
  assert.deepEqual(s.op, { op: 'addr.add', ns: 'a', dev: 'e0', cidr: '10.0.0.1/24' });
  assert.deepEqual(s.undo[0].op, { op: 'addr.del', ns: 'a', dev: 'e0', cidr: '10.0.0.1/24' });
  for (const argv of [['ip', 'monitor'], ['bash', '-c', 'x'], ['ip', 'link', 'set', 'dev', 'x', 'netns', 'y'], ['ip', 'route', 'add', 'default', 'via'], ['forwarder-start', 'f', '{}']]) {
    assert.equal(opFromArgv('host', argv), undefined, argv.join(' '));
    assert.throws(() => commandFromArgv('host', argv));
  }
});
