import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Step } from '../../shared/model/step';
import { recordApplied } from './ledger';
import { claimsOf, describeClaims, mergeOwnership, namespacesOfRecord, presenceIn, reconcile, splitOwnership } from './scope';
import { emptyOwnership } from './store';
import { commandFromArgv } from '../../shared/plan/legacy-argv';

const s = (namespace: string, argv: string, undo: string, object: string, action: Step['action'] = 'create'): Step => ({
  ...commandFromArgv(namespace, argv.split(' ')),
  undo: [commandFromArgv(namespace, undo.split(' '))],
  reason: 'r',
  object,
  action,
});

const labA = recordApplied(
  emptyOwnership(),
  [
    s('host', 'ip netns add a1', 'ip netns del a1', 'netns:a1'),
    s('host', 'ip link add name br0 type bridge', 'ip link del dev br0', 'link:host/br0'),
    s('host', 'ip link add name va type veth peer name vb netns a1', 'ip link del dev va', 'link:host/va'),
    s('a1', 'ip link set dev lo up', 'ip link set dev lo down', 'loopback:a1', 'change'),
    s('a1', 'ip address add 10.0.0.2/24 dev vb', 'ip address del 10.0.0.2/24 dev vb', 'addr:a1/vb/10.0.0.2/24'),
    s('host', 'sysctl -w net.ipv4.ip_forward=1', 'sysctl -w net.ipv4.ip_forward=0', 'sysctl:host/net.ipv4.ip_forward', 'change'),
  ],
  [0, 1, 2, 3, 4, 5],
);

test('claims: what another topology created, or what lives in a namespace it created; not what it only changed', () => {
  const others = [{ name: 'lab-a', file: '/x/lab-a.yaml', appliedAt: '2026-12-03T06:00:00.000Z', ownership: labA }];
  const claims = claimsOf(others, [
    'netns:a1',
    'sysctl:a1/net.ipv4.ip_forward',
    'link:host/br0',
    'link:host/eth0',
    'netns:b1',
    'sysctl:host/net.ipv4.ip_forward',
  ]);
  assert.deepEqual(
    claims.map((c) => c.key),
    ['netns:a1', 'sysctl:a1/net.ipv4.ip_forward', 'link:host/br0'],
  );
  assert.equal(
    describeClaims(claims),
    'netns:a1, sysctl:a1/net.ipv4.ip_forward, link:host/br0 belong to topology "lab-a" (applied from /x/lab-a.yaml at 2026-12-03T06:00:00.000Z)',
  );
  assert.deepEqual(claimsOf(others, ['netns:b1', 'link:host/vb-other']), []);
});

test('presence: everything in a gone namespace is gone; links, addresses, routes one by one; sysctls with their namespace', () => {
  const present = presenceIn(new Set(['netns:a1', 'link:host/br0', 'link:a1/vb']));
  assert.equal(present('netns:a1'), true);
  assert.equal(present('loopback:a1'), true);
  assert.equal(present('sysctl:a1/net.ipv4.ip_forward'), true);
  assert.equal(present('addr:a1/vb/10.0.0.2/24'), false);
  assert.equal(present('link:host/va'), false);
  assert.equal(present('sysctl:host/net.ipv4.ip_forward'), true);
  const noNs = presenceIn(new Set(['link:host/br0']));
  assert.equal(noNs('loopback:a1'), false);
  assert.equal(noNs('sysctl:a1/net.ipv4.ip_forward'), false);
  assert.equal(noNs('nat:a1/x'), false);
  // a NAT rule is checked where its table was read, else taken to be there with its namespace
  assert.equal(presenceIn(new Set(['netns:a1']), new Set(['a1']))('nat:a1/x'), false);
  assert.equal(presenceIn(new Set(['netns:a1', 'nat:a1/x']), new Set(['a1']))('nat:a1/x'), true);
  assert.equal(presenceIn(new Set(['netns:a1']))('nat:a1/x'), true);
});

test('reconcile forgets what is gone from the host (owned keys and log entries), keeps the rest, leaves an intact record alone', () => {
  assert.deepEqual(namespacesOfRecord(labA), ['a1']);
  // a1 deleted by hand: the veth pair with an end in it went with it, the bridge stays
  const { ownership, gone } = reconcile(labA, presenceIn(new Set(['link:host/br0'])));
  assert.deepEqual(ownership.owned, ['link:host/br0']);
  assert.deepEqual(
    ownership.log.map((e) => e.key),
    ['link:host/br0', 'sysctl:host/net.ipv4.ip_forward'],
  );
  assert.deepEqual(gone, ['addr:a1/vb/10.0.0.2/24', 'link:a1/vb', 'link:host/va', 'loopback:a1', 'netns:a1']);
  const all = new Set(['netns:a1', 'link:host/br0', 'link:host/va', 'link:a1/vb', 'addr:a1/vb/10.0.0.2/24']);
  const same = reconcile(labA, presenceIn(all));
  assert.equal(same.ownership, labA);
  assert.deepEqual(same.gone, []);
});

test('a migrated record hands over what a document names (and what lives in its namespaces), in application order', () => {
  const { taken, rest } = splitOwnership(labA, new Set(['netns:a1', 'link:host/va', 'link:a1/vb']));
  assert.deepEqual(taken.owned, ['addr:a1/vb/10.0.0.2/24', 'link:a1/vb', 'link:host/va', 'netns:a1']);
  assert.deepEqual(rest.owned, ['link:host/br0']);
  assert.equal(taken.log.length + rest.log.length, labA.log.length);
  const mine = recordApplied(emptyOwnership(), [s('host', 'ip netns add b1', 'ip netns del b1', 'netns:b1')], [0]);
  const merged = mergeOwnership(taken, mine);
  assert.deepEqual(
    merged.log.map((e) => [e.seq, e.key]),
    [
      [1, 'netns:a1'],
      [2, 'link:host/va'],
      [3, 'loopback:a1'],
      [4, 'addr:a1/vb/10.0.0.2/24'],
      [5, 'netns:b1'],
    ],
  );
  assert.equal(merged.nextSeq, 6);
  assert.equal(mergeOwnership(emptyOwnership(), mine), mine);
});
