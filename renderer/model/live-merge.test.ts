import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import { addNamespace, addVeth, updateVethEnd } from './edits';
import { adopt, mergeLive } from './live-merge';

test('in sync, pending, drifted and unmanaged, per object; host link state', () => {
  let host = emptyTopology();
  host = addNamespace(host, undefined, 'a').doc;
  host = addNamespace(host, undefined, 'b').doc;
  host = addNamespace(host, undefined, 'c').doc;
  host = addVeth(host, { namespace: 'a' }, { namespace: 'b' }).doc;
  host = updateVethEnd(host, 0, 1, { up: false }).doc;
  host = addVeth(host, { namespace: 'c' }, { namespace: 'host' }).doc;

  let doc = emptyTopology();
  doc = addNamespace(doc, undefined, 'a').doc;
  doc = addNamespace(doc, undefined, 'b').doc;
  doc = addNamespace(doc, undefined, 'new').doc;
  doc = addVeth(doc, { namespace: 'a' }, { namespace: 'b' }).doc;
  doc = updateVethEnd(doc, 0, 0, { addresses: ['10.0.0.1/24'] }).doc;

  const m = mergeLive(doc, host);
  assert.equal(m.status['ns:new'], 'pending');
  assert.equal(m.status['ns:c'], 'unmanaged');
  assert.equal(m.status['veth:a/veth0'], 'drifted');
  assert.equal(m.status['ns:a'], 'drifted', 'a box with a drifted interface is drifted');
  assert.equal(m.status['veth:c/veth0'], 'unmanaged');
  assert.equal(m.linkUp['link:b/veth0p'], false);
  assert.deepEqual(
    m.merged.namespaces.map((n) => n.name),
    ['a', 'b', 'new', 'c'],
  );

  const nsAdopted = adopt(doc, host, 'ns:c');
  assert.ok(
    nsAdopted.veths.some((v) => v.ends.some((e) => e.namespace === 'c')),
    'adopting a namespace brings its veth to host',
  );
  assert.equal(mergeLive(nsAdopted, host).status['ns:c'], 'in-sync', 'an adopted namespace is in sync, not drifted');

  const adopted = adopt(doc, host, 'veth:c/veth0');
  assert.ok(
    adopted.namespaces.some((n) => n.name === 'c'),
    'adopting a veth brings its namespace',
  );
  assert.equal(mergeLive(adopted, host).status['veth:c/veth0'], 'in-sync');
});

test("a route the document writes without `dev` is in sync with the kernel's (which names the dev)", () => {
  const ns = (routes: { to: string; via?: string; dev?: string }[]) => ({
    ...emptyTopology(),
    namespaces: [{ name: 'a', loopback: 'up' as const, sysctls: {}, routes, nat: [], vrfs: [] }],
  });
  const doc = ns([{ to: 'default', via: '10.0.0.1' }]);
  assert.equal(mergeLive(doc, ns([{ to: 'default', via: '10.0.0.1', dev: 'eth0' }])).status['ns:a'], 'in-sync');
  assert.equal(mergeLive(doc, ns([{ to: 'default', via: '10.0.0.9', dev: 'eth0' }])).status['ns:a'], 'drifted');
  assert.equal(
    mergeLive(ns([{ to: 'default', via: '10.0.0.1', dev: 'eth1' }]), ns([{ to: 'default', via: '10.0.0.1', dev: 'eth0' }])).status['ns:a'],
    'drifted',
  );
});

test('adopt with neighbours and adopt all give valid documents in one step; unnamed namespaces stay out', async () => {
  const { validateTopology } = await import('../../shared/validate/validate');
  const { adoptAll, adoptWithNeighbours } = await import('./live-merge');
  const ns = (name: string) => ({ name, loopback: 'up' as const, sysctls: {}, routes: [], nat: [], vrfs: [] });
  const end = (namespace: string, name: string, extra: object = {}) => ({ namespace, name, addresses: [], up: true, ...extra });
  const host = {
    ...emptyTopology(),
    namespaces: [ns('host'), ns('a'), ns('b'), ns('inode:9')],
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.9.0.1/24'], up: true }],
    veths: [
      { ends: [end('host', 'va', { master: 'br0' }), end('a', 'eth0')] },
      { ends: [end('host', 'vb', { master: 'br0' }), end('b', 'eth0')] },
      { ends: [end('host', 'vc', { master: 'br0' }), end('inode:9', 'eth0')] },
    ],
  } as ReturnType<typeof emptyTopology>;
  const errors = (d: typeof host) =>
    validateTopology(d)
      .filter((i) => i.severity === 'error')
      .map((i) => i.code);
  // one object alone: the veth brings the bridge it names as master, and its namespace
  const one = adopt(emptyTopology(), host, 'veth:host/va');
  assert.deepEqual(errors(one), [], 'adopting one veth gives a valid document');
  assert.deepEqual([one.namespaces.map((n) => n.name), one.bridges.map((b) => b.name)], [['a'], ['br0']]);

  const a = adoptWithNeighbours(emptyTopology(), host, 'ns:a');
  assert.deepEqual(errors(a), []);
  assert.deepEqual(
    [a.namespaces.map((n) => n.name), a.bridges.map((b) => b.name), a.veths.map((v) => v.ends.map((e) => e.name))],
    [['a'], ['br0'], [['va', 'eth0']]],
  );
  const br = adoptWithNeighbours(emptyTopology(), host, 'br:host/br0');
  assert.deepEqual(errors(br), []);
  assert.deepEqual(br.namespaces.map((n) => n.name).sort(), ['a', 'b'], 'the bridge with its members, not the container');
  const all = adoptAll(emptyTopology(), host);
  assert.deepEqual(errors(all), []);
  assert.deepEqual([all.namespaces.map((n) => n.name).sort(), all.veths.length], [['a', 'b'], 2]);
  assert.equal(mergeLive(all, host).status['ns:a'], 'in-sync');
});
