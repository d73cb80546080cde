/** Search in the live view finds host objects too: container names, ids, network names, addresses, labels. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedHost } from '../../shared/model/observed';
import type { Topology } from '../../shared/model/schema';
import { liveSearchIds } from './live-search';
import { withUnnamed } from './live-unnamed';

const lo = { ifindex: 1, name: 'lo', kind: 'loopback' as const, rawKind: 'loopback', up: true, oper: 'UNKNOWN', carrier: true, mtu: 65536, addresses: [] };
const observed: ObservedHost = {
  readAt: 0,
  durationMs: 0,
  warnings: [],
  namespaces: [
    { name: 'host', inode: 1, named: true, nsids: {}, links: [lo], routes: [], rules: [], sysctls: {}, warnings: [] },
    {
      name: 'inode:9',
      inode: 9,
      named: false,
      nsids: {},
      routes: [],
      rules: [],
      sysctls: {},
      warnings: [],
      links: [
        lo,
        {
          ifindex: 6,
          name: 'eth0',
          kind: 'veth',
          rawKind: 'veth',
          up: true,
          oper: 'UP',
          carrier: true,
          mtu: 1500,
          addresses: [{ cidr: '172.30.0.5/24', family: 4, scope: 'global' }],
        },
      ],
      identity: {
        source: 'docker',
        label: 'docker api',
        containers: [{ runtime: 'docker', id: 'c0ffee'.padEnd(64, '0'), name: 'api', networks: [{ name: 'backend-net', address: '172.30.0.5/24' }] }],
      },
    },
  ],
};
const doc = { apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: {}, namespaces: [], bridges: [], veths: [], forwarders: [] } as unknown as Topology;

test('live search: by container name, id, network, address and label; only what is drawn', () => {
  const { host, labels } = withUnnamed(doc, observed);
  for (const q of ['api', 'c0ffee', 'backend-net', '172.30.0.5', 'docker api']) assert.deepEqual(liveSearchIds(q, host, observed, labels), ['ns:inode:9'], q);
  assert.deepEqual(liveSearchIds('nothing-like-this', host, observed, labels), []);
  // the named-only view draws no unnamed namespace: search does not select what is not there
  assert.deepEqual(liveSearchIds('api', doc, observed, labels), []);
});
