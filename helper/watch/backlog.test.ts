import { test } from 'node:test';
import assert from 'node:assert/strict';
import { until } from '../../testing/until';
import { BacklogGate } from './backlog';

test('a client behind its queue pauses events and is caught up once the queue drains', async () => {
  let queued = 0;
  let caughtUp = 0;
  let looks = 0; // how often the gate has read the queue: waits count its polls, not milliseconds
  const gate = new BacklogGate(
    () => (looks++, queued),
    () => caughtUp++,
    1000,
    100,
  );
  assert.equal(gate.behind, false);
  queued = 5000;
  assert.equal(gate.behind, true);
  assert.equal(gate.waiting, true);
  queued = 500; // under high water, still over low: keeps waiting
  const seen = looks;
  assert.ok(await until(() => looks >= seen + 3, 5000), 'the gate polls the queue');
  assert.equal(gate.behind, true);
  assert.equal(caughtUp, 0);
  queued = 0;
  await until(() => caughtUp > 0, 5000);
  assert.equal(caughtUp, 1);
  assert.equal(gate.waiting, false);
  assert.equal(gate.behind, false);
  gate.close();
});

test('without a queue to look at, nobody is ever behind', () => {
  const gate = new BacklogGate(undefined, () => assert.fail('never'));
  assert.equal(gate.behind, false);
});
