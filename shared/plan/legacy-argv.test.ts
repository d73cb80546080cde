/**
 * Records of the previous version hold argv only: every command the planner
 * writes (the scenarios built, re-planned, destroyed; undo and checks too)
 * reads back from its argv as the same operation, and what no plan holds is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Command, Step } from '../model/step';
import type { StepOp } from '../model/step-op';
import { buildPlan, destroyPlan, plan } from './plan';
import { commandFromArgv, opFromArgv, stepWithOps } from './legacy-argv';
import { opArgv } from './render';
import { loadScenarios } from '../../testing/scenarios';
import { documentPair } from '../../testing/arbitrary-topology';

const commands = (steps: Step[]): Command[] => steps.flatMap((s) => [s, ...s.undo, ...(s.exists ? [s.exists] : [])]);
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
/**
 * Some argv cannot say everything their operation holds: a lookup rule without
 * a table is spelled `table 254` (the main table) and `ip route show` takes no
 * next hops. Those read back as an operation that renders
 * the same argv; every other operation reads back as itself.
 */
const lossy = (op: StepOp): boolean => op.op === 'rule.add' || op.op === 'rule.del' || op.op === 'route.show' || (op.op === 'not' && lossy(op.check));
const readsBack = (c: Command) => {
  const read = opFromArgv(c.namespace, c.argv);
  const what = `${c.namespace}: ${c.argv.join(' ')}`;
  if (lossy(c.op)) {
    assert.ok(read, what);
    assert.equal(read.op, c.op.op, what);
    assert.deepEqual(opArgv(read), c.argv, what);
  } else assert.deepEqual(canonical(read), canonical(c.op), what);
};

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
  fc.assert(
    fc.property(documentPair, ([d1, d2]) => commands(plan(d2, d1, { owned: 'all' })).forEach(readsBack)),
    { numRuns: 100 },
  );
});

test('an old step (argv only) gets its operations; a form no plan holds is refused', () => {
  const old = {
    namespace: 'a',
    argv: ['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'e0'],
    undo: [{ namespace: 'a', argv: ['ip', 'addr', 'del', '10.0.0.1/24', 'dev', 'e0'] }],
    reason: 'r',
    object: 'addr:a/e0/10.0.0.1/24',
    action: 'create' as const,
  };
  const s = stepWithOps(old);
  assert.deepEqual(s.op, { op: 'addr.add', ns: 'a', dev: 'e0', cidr: '10.0.0.1/24' });
  assert.deepEqual(s.undo[0].op, { op: 'addr.del', ns: 'a', dev: 'e0', cidr: '10.0.0.1/24' });
  for (const argv of [
    ['ip', 'monitor'],
    ['bash', '-c', 'x'],
    ['ip', 'link', 'set', 'dev', 'x', 'netns', 'y'],
    ['ip', 'route', 'add', 'default', 'via'],
    ['forwarder-start', 'f', '{}'],
  ]) {
    assert.equal(opFromArgv('host', argv), undefined, argv.join(' '));
    assert.throws(() => commandFromArgv('host', argv));
  }
});

test('records of the version before typed operations: policy rules and multipath/onlink/local routes read back', () => {
  assert.deepEqual(opFromArgv('e', ['ip', '-6', 'rule', 'add', 'priority', '100', 'from', '2001:db8::/64', 'table', '101']), {
    op: 'rule.add',
    ns: 'e',
    rule: { priority: 100, from: '2001:db8::/64', table: 101, family: 6 },
  });
  assert.deepEqual(opFromArgv('e', ['ip', 'rule', 'del', 'priority', '90', 'fwmark', '0x2/0xff', 'table', '102']), {
    op: 'rule.del',
    ns: 'e',
    rule: { priority: 90, fwmark: 2, fwmask: 255, table: 102, family: 4 },
  });
  assert.deepEqual(opFromArgv('e', ['ip', 'rule', 'add', 'priority', '80', 'to', '10.0.66.0/24', 'blackhole']), {
    op: 'rule.add',
    ns: 'e',
    rule: { priority: 80, to: '10.0.66.0/24', action: 'blackhole', family: 4 },
  });
  assert.deepEqual(
    opFromArgv('e', [
      'ip',
      'route',
      'add',
      '10.0.200.0/24',
      'nexthop',
      'via',
      '10.0.1.1',
      'dev',
      'a',
      'nexthop',
      'via',
      '10.0.2.1',
      'dev',
      'b',
      'weight',
      '2',
      'onlink',
    ]),
    {
      op: 'route.add',
      ns: 'e',
      route: {
        to: '10.0.200.0/24',
        nexthops: [
          { via: '10.0.1.1', dev: 'a' },
          { via: '10.0.2.1', dev: 'b', weight: 2, onlink: true },
        ],
      },
    },
  );
  assert.deepEqual(opFromArgv('e', ['ip', 'route', 'add', '10.0.9.0/24', 'via', '10.0.5.1', 'dev', 'a', 'onlink']), {
    op: 'route.add',
    ns: 'e',
    route: { to: '10.0.9.0/24', via: '10.0.5.1', dev: 'a', onlink: true },
  });
  assert.deepEqual(opFromArgv('e', ['ip', 'route', 'add', 'local', '10.0.7.1', 'dev', 'lo', 'table', '255']), {
    op: 'route.add',
    ns: 'e',
    route: { type: 'local', to: '10.0.7.1', dev: 'lo', table: 255 },
  });
  for (const argv of [
    ['ip', 'rule', 'add', 'from', '10.0.0.0/24', 'table', '5'],
    ['ip', 'rule', 'add', 'priority', '5', 'blackhole', 'table', '5'],
    ['ip', 'rule', 'add', 'priority', '5', 'goto', '7'],
    ['ip', 'route', 'add', '10.0.0.0/24', 'nexthop', 'via', '10.0.0.1', 'metric', '5'],
  ])
    assert.equal(opFromArgv('e', argv), undefined, argv.join(' '));
});
