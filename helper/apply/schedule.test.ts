import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatcher, batchable, dependencies, touches, waves, type Item } from './schedule';
import { commandFromArgv } from '../../shared/plan/legacy-argv';
import { forwarderStart, ruleAdd, ruleDel } from '../../shared/plan/commands';

const it = (namespace: string, args: string, step: number): Item => ({ ...commandFromArgv(namespace, ['ip', ...args.split(' ')]), step });

test('touches: own namespace, named namespaces, barriers', () => {
  assert.deepEqual(touches(it('host', 'link add name v0 type veth peer name v1 netns n1', 0)), ['host/v0', 'n1/v1']);
  assert.deepEqual(touches(it('host', 'netns add n1', 0)), ['n1']);
  assert.deepEqual(touches(it('n1', 'address add 10.0.0.1/24 dev v1', 0)), ['n1/v1']);
  assert.deepEqual(touches(it('host', 'link set dev v0 master br0', 0)), ['host/v0', 'host/br0']);
  assert.deepEqual(touches(it('n1', 'route add default via 10.0.0.1', 0)), ['n1']);
  assert.deepEqual(touches(it('host', 'link del dev v0', 0)), ['*']);
  assert.deepEqual(touches(it('host', 'netns del n1', 0)), ['*']);
  assert.deepEqual(
    touches(
      forwarderStart({
        name: 'x',
        protocol: 'tcp',
        listen: { namespace: 'n1', address: '10.0.0.1', port: 80 },
        target: { namespace: 'n1', address: '10.0.0.1', port: 81 },
      }),
    ),
    ['*'],
  );
});

test('policy rules: their whole namespace, batched unless IPv6 (-6 is a global option batch lines refuse)', () => {
  const v4 = ruleAdd('n1', { priority: 100, family: 4, from: '10.0.0.0/24', table: 101 });
  const v6 = ruleDel('n1', { priority: 100, family: 6, from: '2001:db8::/64', table: 101 });
  assert.deepEqual(touches(v4), ['n1']);
  assert.deepEqual(touches(v6), ['n1']);
  assert.equal(batchable(v4), true);
  assert.equal(batchable(v6), false);
  assert.deepEqual(v6.argv, ['ip', '-6', 'rule', 'del', 'priority', '100', 'from', '2001:db8::/64', 'table', '101']);
});

test('a star plan written namespace by namespace becomes one host batch, then one batch per namespace', () => {
  const items: Item[] = [];
  for (let i = 0; i < 3; i++) {
    items.push(it('host', `netns add n${i}`, items.length));
    items.push(it('host', `link add name h${i} type veth peer name e0 netns n${i}`, items.length));
    items.push(it(`n${i}`, 'link set dev lo up', items.length));
    items.push(it(`n${i}`, `address add 10.0.0.${i + 2}/24 dev e0`, items.length));
    items.push(it('host', `link set dev h${i} master br0`, items.length));
    items.push(it(`n${i}`, 'route add default via 10.0.0.1', items.length));
  }
  const w = waves(items);
  assert.equal(w.length, 2);
  assert.equal(w[0].length, 1);
  assert.equal(w[0][0].length, 1, 'all host lines in one ip -batch');
  assert.equal(w[0][0][0].items.length, 9);
  assert.equal(w[1].length, 3);
  for (const lane of w[1]) assert.equal(lane.length, 1);
  // every namespace keeps its own order
  for (const lane of w[1]) {
    const steps = lane[0].items.map((x) => x.step);
    assert.deepEqual(
      steps,
      [...steps].sort((a, b) => a - b),
    );
  }
});

test('device-level touches: a plan that configures before creating other links still gets one batch per namespace', () => {
  const items: Item[] = [];
  for (let i = 0; i < 3; i++) items.push(it('host', `netns add n${i}`, items.length));
  for (let i = 0; i < 3; i++) items.push(it(`n${i}`, 'link set dev lo up', items.length));
  for (let i = 0; i < 3; i++) items.push(it('host', `link add name h${i} type veth peer name e0 netns n${i}`, items.length));
  for (let i = 0; i < 3; i++) items.push(it(`n${i}`, 'address add 10.0.0.2/24 dev e0', items.length));
  for (let i = 0; i < 3; i++) items.push(it(`n${i}`, 'route add default via 10.0.0.1', items.length));
  const deps = dependencies(items);
  assert.deepEqual(deps[6], [0], 'creating the veth waits for its namespace, not for lo');
  assert.deepEqual(deps[9].sort(), [0, 6]);
  assert.deepEqual(
    deps[12].sort((a, b) => a - b),
    [0, 3, 9],
  );
  const w = waves(items);
  assert.equal(w.length, 2);
  assert.equal(w[0][0][0].items.length, 6);
});

test('dependencies never let a command jump over one it does not commute with', () => {
  const items = [it('n1', 'address add 10.0.0.1/24 dev e0', 0), it('host', 'link del dev h1', 1), it('n2', 'link set dev lo up', 2)];
  const deps = dependencies(items);
  assert.deepEqual(deps[1], [0]);
  assert.deepEqual(deps[2], [1]);
  assert.equal(waves(items).length, 3);
});

test('sequential mode keeps plan order, batching consecutive lines of one namespace', () => {
  const items = [it('host', 'netns add a', 0), it('host', 'netns add b', 1), it('a', 'link set dev lo up', 2), it('host', 'link add name x type bridge', 3)];
  const w = waves(items, false);
  assert.deepEqual(
    w.map((wave) => wave.flat().map((u) => u.items.map((x) => x.step))),
    [[[0, 1]], [[2]], [[3]]],
  );
});

test('commands ip cannot batch (global options, other programs) run alone', () => {
  const items: Item[] = [
    it('n1', 'link set dev lo up', 0),
    { ...commandFromArgv('n1', ['ip', '-6', 'route', 'add', 'default', 'via', 'fe80::1', 'dev', 'e0']), step: 1 },
    { ...commandFromArgv('n1', ['sysctl', '-w', 'net.ipv4.ip_forward=1']), step: 2 },
    it('n1', 'address add 10.0.0.1/24 dev e0', 3),
    it('n1', 'link set dev e0 up', 4),
  ];
  const w = waves(items);
  assert.equal(w.length, 1);
  assert.deepEqual(
    w[0][0].map((u) => [u.kind, u.items.map((x) => x.step)]),
    [
      ['ip-batch', [0]],
      ['single', [1]],
      ['single', [2]],
      ['ip-batch', [3, 4]],
    ],
  );
});

test('the dispatcher gives a long run of `netns add` two host lanes; what needs them waits for both', () => {
  const n = 40;
  const items: Item[] = [];
  for (let i = 0; i < n; i++) items.push(it('host', `netns add n${i}`, items.length));
  items.push(it('host', 'link add name br0 type bridge', items.length));
  for (let i = 0; i < n; i++) items.push(it('host', `link add name h${i} type veth peer name e0 netns n${i}`, items.length));
  const d = new Dispatcher(items, 300);
  const first = d.take(8, true);
  assert.deepEqual(
    first.map((l) => l.map((x) => x.op.op)),
    [Array(n / 2).fill('netns.add'), Array(n / 2).fill('netns.add')],
  );
  assert.deepEqual(
    first.flat().map((x) => x.step),
    items.slice(0, n).map((x) => x.step),
    'each namespace made once, in two halves',
  );
  assert.deepEqual(d.take(8, false), [], 'both host lanes busy');
  // the first half done: the bridge and the veths into its namespaces may go; those into the second half wait
  d.complete(first[0]!, new Set(first[0]!.map((x) => x.step)));
  const next = d.take(8, false);
  assert.equal(next.length, 1);
  assert.deepEqual(
    next[0]!.map((x) => x.argv.join(' ')),
    ['ip link add name br0 type bridge', ...Array.from({ length: n / 2 }, (_, i) => `ip link add name h${i} type veth peer name e0 netns n${i}`)],
  );
  d.complete(first[1]!, new Set(first[1]!.map((x) => x.step)));
  d.complete(next[0]!, new Set(next[0]!.map((x) => x.step)));
  const last = d.take(8, false);
  assert.deepEqual(
    last.map((l) => l.length),
    [n / 2],
  );
  d.complete(last[0]!, new Set(last[0]!.map((x) => x.step)));
  assert.ok(d.finished);
  // a few namespaces: one lane, as before
  const few = new Dispatcher(
    items.slice(0, 4).map((x, i) => ({ ...x, step: i })),
    300,
  );
  assert.deepEqual(
    few.take(8, true).map((l) => l.length),
    [4],
  );
});
