import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type TopologyInput } from '../../shared/model/schema';
import { bridgeDrift, namespaceDrift, vethDrift } from './drift';
import { linkOperOf, mergeLive } from './live-merge';

const topo = (t: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...t });

const doc = topo({
  namespaces: [
    { name: 'a', routes: [{ to: 'default', via: '10.0.0.1' }] },
    { name: 'r', sysctls: { 'net.ipv4.ip_forward': '1' } },
  ],
  bridges: [{ name: 'br0', namespace: 'r', addresses: ['10.1.0.1/24'] }],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'eth0', addresses: ['10.0.0.2/24'] },
        { namespace: 'r', name: 'eth0', addresses: ['10.0.0.1/24'], mtu: 9000 },
      ],
    },
  ],
});

/** What discover reports right after applying `doc`: the kernel's choices filled in, inherited sysctls, extra addresses. */
const freshHost = topo({
  namespaces: [
    // ip_forward inherited by a namespace the document sets nothing in; the route's dev picked by the kernel
    {
      name: 'a',
      sysctls: { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' },
      routes: [
        { to: 'default', via: '10.0.0.1', dev: 'eth0' },
        { to: '10.9.0.0/16', via: '10.0.0.1' },
      ],
    },
    { name: 'r', sysctls: { 'net.ipv4.ip_forward': '1' } },
  ],
  bridges: [{ name: 'br0', namespace: 'r', addresses: ['10.1.0.1/24'], mtu: 1500 }],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'eth0', addresses: ['10.0.0.2/24', 'fd00::2/64'] },
        { namespace: 'r', name: 'eth0', addresses: ['10.0.0.1/24'], mtu: 9000 },
      ],
    },
  ],
});

test('a freshly applied topology is in sync: what the document leaves open is not drift', () => {
  const m = mergeLive(doc, freshHost);
  assert.deepEqual(m.drift, {});
  assert.deepEqual(
    Object.values(m.status).filter((s) => s !== 'in-sync'),
    [],
  );
});

test('each drifted field carries the document value and the host value', () => {
  const host = structuredClone(freshHost);
  host.namespaces[0].loopback = 'down';
  host.namespaces[0].routes[0] = { to: 'default', via: '10.0.0.9', dev: 'eth0' };
  host.namespaces[1].sysctls = {};
  host.bridges[0].up = false;
  host.bridges[0].addresses = [];
  host.veths[0].ends[1].mtu = 1500;
  host.veths[0].ends[0].master = 'br9';
  assert.deepEqual(namespaceDrift(doc.namespaces[0], host.namespaces[0]), [
    { field: 'loopback', doc: 'up', host: 'down' },
    { field: 'route default', doc: 'default via 10.0.0.1', host: 'default via 10.0.0.9 dev eth0' },
  ]);
  assert.deepEqual(namespaceDrift(doc.namespaces[1], host.namespaces[1]), [{ field: 'net.ipv4.ip_forward', doc: '1', host: '0' }]);
  assert.deepEqual(bridgeDrift(doc.bridges[0], host.bridges[0]), [
    { field: 'state', doc: 'up', host: 'down' },
    { field: 'addresses', doc: '10.1.0.1/24', host: '(none)' },
  ]);
  assert.deepEqual(vethDrift(doc.veths[0].ends, host.veths[0].ends), [
    { field: 'a/eth0 master', doc: '(none)', host: 'br9' },
    { field: 'r/eth0 mtu', doc: '9000', host: '1500' },
  ]);
  const m = mergeLive(doc, host);
  assert.equal(m.status['ns:a'], 'drifted');
  assert.deepEqual(
    m.drift['ns:a'].map((f) => f.field),
    ['loopback', 'route default', 'a/eth0 master'],
    "the box also lists its own interface end's fields",
  );
  assert.deepEqual(
    m.drift['ns:r'].map((f) => f.field),
    ['net.ipv4.ip_forward', 'r/eth0 mtu'],
  );
});

test("a veth MTU the document leaves out is the default 1500 (Plan enforces it); a bridge MTU left out is the kernel's choice", () => {
  const d = topo({
    namespaces: [{ name: 'a' }],
    bridges: [{ name: 'br0', namespace: 'a' }],
    veths: [
      {
        ends: [
          { namespace: 'a', name: 'x0' },
          { namespace: 'a', name: 'x1' },
        ],
      },
    ],
  });
  const h = structuredClone(d);
  h.bridges[0].mtu = 9000;
  h.veths[0].ends[0].mtu = 9000;
  assert.deepEqual(bridgeDrift(d.bridges[0], h.bridges[0]), []);
  assert.deepEqual(vethDrift(d.veths[0].ends, h.veths[0].ends), [{ field: 'a/x0 mtu', doc: '1500', host: '9000' }]);
});

test('operational state per link, apart from admin state, from the observed host', () => {
  const observed = {
    readAt: 0,
    durationMs: 0,
    warnings: [],
    namespaces: [
      {
        name: 'a',
        links: [
          { name: 'eth0', up: true, oper: 'LOWERLAYERDOWN', carrier: false },
          { name: 'lo', up: true, oper: 'UNKNOWN', carrier: true },
        ],
      },
    ],
  };
  assert.deepEqual(linkOperOf(observed), { 'link:a/eth0': { oper: 'LOWERLAYERDOWN', carrier: false }, 'link:a/lo': { oper: 'UNKNOWN', carrier: true } });
  assert.deepEqual(linkOperOf({}), {});
  assert.deepEqual(linkOperOf(undefined), {});
  // a watch event observes one namespace: its links are replaced, the others kept
  const prev = { ...linkOperOf(observed), 'link:b/x': { oper: 'UP', carrier: true } };
  assert.deepEqual(linkOperOf({ name: 'a', links: [{ name: 'eth0', up: true, oper: 'UP', carrier: true }] }, prev), {
    'link:a/eth0': { oper: 'UP', carrier: true },
    'link:b/x': { oper: 'UP', carrier: true },
  });
  assert.equal(linkOperOf({ document: 1 }, prev), prev);
});
