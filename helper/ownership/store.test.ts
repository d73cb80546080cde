/** An ownership record written before steps carried operations (argv only) still loads, and destroy plans from it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOwnership } from './store';
import { destroySteps } from './ledger';

// a record as the previous version saved it: commands and undo as {namespace, argv}
const OLD = JSON.stringify({
  version: 1,
  nextSeq: 4,
  owned: ['netns:a', 'link:host/v0', 'link:a/v1', 'addr:a/v1/10.0.0.2/24'],
  log: [
    {
      seq: 1,
      key: 'netns:a',
      kind: 'created',
      command: { namespace: 'host', argv: ['ip', 'netns', 'add', 'a'] },
      undo: [{ namespace: 'host', argv: ['ip', 'netns', 'del', 'a'] }],
      at: 't',
    },
    {
      seq: 2,
      key: 'link:host/v0',
      kind: 'created',
      command: { namespace: 'host', argv: ['ip', 'link', 'add', 'name', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', 'a'] },
      undo: [{ namespace: 'host', argv: ['ip', 'link', 'del', 'dev', 'v0'] }],
      at: 't',
    },
    {
      seq: 3,
      key: 'addr:a/v1/10.0.0.2/24',
      kind: 'created',
      command: { namespace: 'a', argv: ['ip', 'addr', 'add', '10.0.0.2/24', 'dev', 'v1'] },
      undo: [{ namespace: 'a', argv: ['ip', 'addr', 'del', '10.0.0.2/24', 'dev', 'v1'] }],
      at: 't',
    },
  ],
});

test('an old record (argv only) loads with operations, and destroy plans from it', () => {
  const o = parseOwnership(OLD, 'owned.json');
  assert.deepEqual(
    o.log.map((e) => e.command.op.op),
    ['netns.add', 'link.veth', 'addr.add'],
  );
  assert.deepEqual(o.log[1].command.op, { op: 'link.veth', ns: 'host', name: 'v0', peer: { ns: 'a', name: 'v1' } });
  const steps = destroySteps(o, new Set(o.owned));
  // the namespace goes first, taking the veth (its end inside) and the address along
  assert.deepEqual(
    steps.map((s) => s.argv.join(' ')),
    ['ip netns del a'],
  );
  assert.equal(steps[0].op.op, 'netns.del');
});

test('an old record holding a command no plan holds is refused, not guessed', () => {
  const bad = JSON.parse(OLD);
  bad.log[0].command.argv = ['ip', 'monitor'];
  assert.throws(() => parseOwnership(JSON.stringify(bad), 'owned.json'), /holds a command no plan holds/);
});
