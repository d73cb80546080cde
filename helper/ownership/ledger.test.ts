import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '../../shared/model/step';
import { covers, destroySteps, markUnmanaged, ownsKey, recordApplied, recordDestroyed } from './ledger';
import { createdKeys, keyNamespace } from './keys';
import { emptyOwnership, loadOwnership, saveOwnership } from './store';
import { commandFromArgv } from '../../shared/plan/legacy-argv';

const s = (namespace: string, argv: string, undo: string, object: string, action: Step['action'] = 'create'): Step => ({
  ...commandFromArgv(namespace, argv.split(' ')),
  undo: undo ? [commandFromArgv(namespace, undo.split(' '))] : [],
  reason: 'r',
  object,
  action,
});

const build: Step[] = [
  s('host', 'ip netns add ns1', 'ip netns del ns1', 'netns:ns1'),
  s('host', 'ip link add name veth0 type veth peer name veth1 netns ns1', 'ip link del dev veth0', 'link:host/veth0'),
  s('ns1', 'ip link set dev lo up', 'ip link set dev lo down', 'loopback:ns1', 'change'),
  s('ns1', 'ip address add 10.0.0.2/24 dev veth1', 'ip address del 10.0.0.2/24 dev veth1', 'addr:ns1/veth1/10.0.0.2/24'),
  s('host', 'ip address add 10.0.0.1/24 dev veth0', 'ip address del 10.0.0.1/24 dev veth0', 'addr:host/veth0/10.0.0.1/24'),
  s('host', 'ip link set dev veth0 up', 'ip link set dev veth0 down', 'link:host/veth0', 'change'),
];

test('keys: namespace of a key, peer of a veth', () => {
  assert.equal(keyNamespace('addr:ns1/veth1/10.0.0.2/24'), 'ns1');
  assert.equal(keyNamespace('netns:ns1'), 'ns1');
  assert.equal(keyNamespace('loopback:ns1'), 'ns1');
  assert.equal(keyNamespace('route:host/254/default'), 'host');
  assert.equal(keyNamespace('forwarder:f1'), undefined);
  assert.deepEqual(createdKeys(build[1]), ['link:host/veth0', 'link:ns1/veth1']);
});

test('apply records what it created; changes inside our namespaces are ours, others unmanaged', () => {
  const o = recordApplied(
    emptyOwnership(),
    build,
    build.map((_, i) => i),
  );
  assert.deepEqual(o.owned, ['addr:host/veth0/10.0.0.1/24', 'addr:ns1/veth1/10.0.0.2/24', 'link:host/veth0', 'link:ns1/veth1', 'netns:ns1']);
  assert.ok(ownsKey(o, 'link:ns1/veth1'));
  assert.ok(covers(o, 'loopback:ns1'));
  assert.ok(covers(o, 'sysctl:ns1/net.ipv4.ip_forward'));
  assert.ok(!covers(o, 'sysctl:host/net.ipv4.ip_forward'));
  assert.ok(!covers(o, 'link:host/eth0'));
  const next = [
    s('host', 'ip link set dev eth0 mtu 1400', 'ip link set dev eth0 mtu 1500', 'link:host/eth0', 'change'),
    s('ns1', 'ip link set dev veth1 up', 'ip link set dev veth1 down', 'link:ns1/veth1', 'change'),
    s('host', 'ip address del 10.9.9.9/24 dev eth0', 'ip address add 10.9.9.9/24 dev eth0', 'addr:host/eth0/10.9.9.9/24', 'delete'),
    s('host', 'ip netns add ns2', 'ip netns del ns2', 'netns:ns2'),
    s('ns2', 'ip link set dev lo up', 'ip link set dev lo down', 'loopback:ns2', 'change'),
  ];
  assert.deepEqual(
    markUnmanaged(next, o).map((x) => !!x.unmanaged),
    [true, false, true, false, false],
  );
  assert.deepEqual(
    markUnmanaged(build, emptyOwnership()).map((x) => !!x.unmanaged),
    [false, false, false, false, false, false],
  );
});

test('destroy undoes the document in reverse, each step undoable by the original command', () => {
  const o = recordApplied(
    emptyOwnership(),
    build,
    build.map((_, i) => i),
  );
  const keys = new Set(build.map((x) => x.object));
  const d = destroySteps(o, keys);
  // what lives in ns1, the veth pair with an end there and what we set on its host end go with the namespace
  assert.deepEqual(
    d.map((x) => x.argv.join(' ')),
    ['ip netns del ns1'],
  );
  // the rollback of a failed destroy rebuilds ns1 and what went with it, in order
  assert.deepEqual(
    d.at(-1)?.undo.map((c) => c.argv.join(' ')),
    [
      'ip netns add ns1',
      'ip link add name veth0 type veth peer name veth1 netns ns1',
      'ip link set dev lo up',
      'ip address add 10.0.0.2/24 dev veth1',
      'ip address add 10.0.0.1/24 dev veth0',
      'ip link set dev veth0 up',
    ],
  );
  assert.equal(d.at(-1)?.action, 'delete');
  // only what the document names: a second document's objects stay
  const other = [s('host', 'ip netns add ns9', 'ip netns del ns9', 'netns:ns9')];
  const o2 = recordApplied(o, other, [0]);
  assert.equal(destroySteps(o2, keys).length, 1);
  const after = recordDestroyed(o2, keys);
  assert.deepEqual(after.owned, ['netns:ns9']);
  assert.equal(after.log.length, 1);
});

test('deleting an owned object forgets it and what went with it', () => {
  const o = recordApplied(
    emptyOwnership(),
    build,
    build.map((_, i) => i),
  );
  const del = [s('host', 'ip link del dev veth0', 'ip link add name veth0 type veth peer name veth1 netns ns1', 'link:host/veth0', 'delete')];
  const o2 = recordApplied(o, del, [0]);
  assert.deepEqual(o2.owned, ['netns:ns1']);
  const o3 = recordApplied(o, [s('host', 'ip netns del ns1', 'ip netns add ns1', 'netns:ns1', 'delete')], [0]);
  // the veth pair had an end in ns1: it went too, with the address on its host end
  assert.deepEqual(o3.owned, []);
  assert.deepEqual(o3.log, []);
});

test('the ownership file is written atomically and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nss-own-'));
  try {
    assert.deepEqual(loadOwnership(dir), emptyOwnership());
    const o = recordApplied(emptyOwnership(), build, [0, 1]);
    saveOwnership(dir, o);
    assert.deepEqual(loadOwnership(dir), o);
    assert.deepEqual(readdirSync(dir), ['owned.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
