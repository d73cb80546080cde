import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedHost, ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import type { Topology } from '../../shared/model/schema';
import { adopt, mergeLive } from './live-merge';
import { isLiveOnly, withUnnamed } from './live-unnamed';
import { toFlow } from './to-flow';

const link = (ifindex: number, name: string, extra: Partial<ObservedLink> = {}): ObservedLink => ({
  ifindex,
  name,
  kind: 'veth',
  rawKind: 'veth',
  up: true,
  oper: 'UP',
  carrier: true,
  mtu: 1500,
  addresses: [],
  ...extra,
});
const ns = (name: string, named: boolean, links: ObservedLink[], extra: Partial<ObservedNamespace> = {}): ObservedNamespace => ({
  name,
  inode: 1,
  named,
  nsids: {},
  links,
  routes: [],
  rules: [],
  sysctls: {},
  warnings: [],
  ...extra,
});
const v4 = (cidr: string) => ({ cidr, family: 4 as const, scope: 'global' });

// a Docker host: docker0 with web's veth; a `--network none` box; a named namespace untouched
const observed: ObservedHost = {
  readAt: 0,
  durationMs: 0,
  warnings: [],
  namespaces: [
    ns('host', true, [
      link(1, 'lo', { kind: 'loopback', rawKind: 'loopback' }),
      link(3, 'docker0', { kind: 'bridge', rawKind: 'bridge', addresses: [v4('172.17.0.1/16')] }),
      link(7, 'veth1a2b', { master: 'docker0', peer: { namespace: 'inode:9', ifindex: 6, name: 'eth0', nsid: 0 } }),
    ]),
    ns(
      'inode:9',
      false,
      [
        link(1, 'lo', { kind: 'loopback', rawKind: 'loopback' }),
        link(6, 'eth0', { addresses: [v4('172.17.0.2/16')], peer: { namespace: 'host', ifindex: 7, name: 'veth1a2b', nsid: 0 } }),
      ],
      {
        inode: 9,
        identity: {
          source: 'docker',
          label: 'docker web',
          containers: [{ runtime: 'docker', id: 'a'.repeat(64), name: 'web', networks: [{ name: 'bridge', address: '172.17.0.2/16' }] }],
        },
      },
    ),
    ns('inode:11', false, [link(1, 'lo', { kind: 'loopback', rawKind: 'loopback', up: false })], {
      inode: 11,
      identity: { source: 'docker', label: 'docker box' },
    }),
  ],
};
const hostDoc: Topology = {
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  metadata: {},
  namespaces: [{ name: 'host', loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] }],
  bridges: [{ name: 'docker0', namespace: 'host', addresses: ['172.17.0.1/16'], up: true }],
  veths: [],
  forwarders: [],
} as Topology;
const empty = { ...hostDoc, namespaces: [], bridges: [] } as Topology;

test('unnamed namespaces join the live host with their veths, bridge membership and labels', () => {
  const { host, labels } = withUnnamed(hostDoc, observed);
  assert.deepEqual(
    host.namespaces.map((n) => [n.name, n.loopback]),
    [
      ['host', 'up'],
      ['inode:9', 'up'],
      ['inode:11', 'down'],
    ],
  );
  assert.deepEqual(host.veths, [
    {
      ends: [
        { namespace: 'host', name: 'veth1a2b', addresses: [], up: true, master: 'docker0' },
        { namespace: 'inode:9', name: 'eth0', addresses: ['172.17.0.2/16'], up: true },
      ],
    },
  ]);
  assert.deepEqual(labels, { 'inode:9': 'docker web', 'inode:11': 'docker box' });
  // drawn: the bridge has web's veth as a member, the container its port with its address
  const flow = toFlow(mergeLive(empty, host).merged);
  const br = flow.nodes.find((n) => n.id === 'br:host/docker0')!;
  assert.deepEqual(
    (br.data as { members: { ifname: string }[] }).members.map((m) => m.ifname),
    ['veth1a2b'],
  );
  const web = flow.nodes.find((n) => n.id === 'ns:inode:9')!;
  assert.deepEqual(
    (web.data as { ports: { ifname: string; addresses: string[] }[] }).ports.map((p) => [p.ifname, p.addresses]),
    [['eth0', ['172.17.0.2/16']]],
  );
  assert.equal(mergeLive(empty, host).status['ns:inode:9'], 'unmanaged');
});

test('the named-only view is the helper document as it was; unnamed objects are never adopted', () => {
  assert.equal(withUnnamed(hostDoc, undefined).host, hostDoc);
  const { host } = withUnnamed(hostDoc, observed);
  assert.ok(isLiveOnly('ns:inode:9') && isLiveOnly('br:inode:9/br0') && !isLiveOnly('ns:web'));
  assert.equal(adopt(empty, host, 'ns:inode:9'), empty, 'a container namespace is not adoptable');
  assert.equal(adopt(empty, host, 'veth:host/veth1a2b'), empty, 'nor a veth into one');
  const withBridge = adopt(empty, host, 'br:host/docker0');
  assert.deepEqual(
    withBridge.namespaces.map((n) => n.name),
    [],
    'adopting the bridge brings no unnamed namespace',
  );
  assert.deepEqual(
    withBridge.bridges.map((b) => b.name),
    ['docker0'],
  );
});

test('an observed host that says little (no `named`, no addresses: the demo backend) adds nothing and searches safely', async () => {
  const { liveSearchIds } = await import('./live-search');
  const sparse = {
    readAt: 0,
    durationMs: 0,
    warnings: [],
    namespaces: [{ name: 'host', links: [{ name: 'docker0', up: true, oper: 'UP' }] }],
  } as unknown as ObservedHost;
  assert.equal(withUnnamed(hostDoc, sparse).host.namespaces.length, hostDoc.namespaces.length, 'no duplicate of a named namespace');
  assert.deepEqual(liveSearchIds('docker0', hostDoc, sparse, {}), ['ns:host']);
});
