/** Rule details the one-file-per-rule fixtures do not pin down: edges, warnings, what must stay allowed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type TopologyInput } from '../model/schema';
import { validateTopology } from './validate';
import { checkForwarderName, checkInterfaceName, checkNamespaceName } from './names';

const doc = (d: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...d });
const codes = (d: Omit<TopologyInput, 'apiVersion' | 'kind'>) => validateTopology(doc(d)).map((i) => `${i.severity === 'warning' ? 'warning:' : ''}${i.code}`);
type VethInput = NonNullable<TopologyInput['veths']>[number];
type End = [ns: string, name: string, addresses?: string[], master?: string];
const pair = (a: End, b: End): VethInput => ({
  ends: [a, b].map(([namespace, name, addresses = [], master]) => ({ namespace, name, addresses, master })) as VethInput['ends'],
});

test('interface names: 15 bytes is the limit, counted in bytes', () => {
  assert.equal(checkInterfaceName('a'.repeat(15)), null);
  assert.equal(checkInterfaceName('a'.repeat(16))?.code, 'ifname-too-long');
  assert.equal(checkInterfaceName('üüüüüüüü')?.code, 'ifname-too-long'); // 16 bytes in UTF-8
  for (const bad of ['', '.', '..', 'a/b', 'a b', 'a:1', 'a\tb', 'a\nb']) assert.equal(checkInterfaceName(bad)?.code, 'ifname-invalid', bad);
  for (const bad of ['$(x)', 'a;b', '`id`', "a'b", 'a"b', '-x', 'a|b', 'a&b', 'a>b', 'ü'])
    assert.match(checkInterfaceName(bad)?.code ?? '', /ifname-(unsafe|too-long)/, bad);
  for (const ok of ['veth0', 'br-lan', 'veth1-br', 'eth0.100', 'vrf_1', 'pair-server']) assert.equal(checkInterfaceName(ok), null, ok);
});

test('namespace names: a file name under /run/netns, safe in argv and scripts', () => {
  for (const ok of ['ns1', 'ns-router', 'client', 'cni-1234abcd-5678', 'a.b_c']) assert.equal(checkNamespaceName(ok), null, ok);
  for (const bad of ['', '.', '..', 'a/b', 'a b', 'a\nb', '\x00']) assert.equal(checkNamespaceName(bad)?.code, 'netns-name-invalid', JSON.stringify(bad));
  for (const bad of ['a;rm', '$(x)', '-n', 'a*']) assert.equal(checkNamespaceName(bad)?.code, 'netns-name-unsafe', bad);
  assert.equal(checkNamespaceName('n'.repeat(65))?.code, 'netns-name-too-long');
  assert.equal(checkForwarderName('service-0'), null);
  assert.equal(checkForwarderName('a b')?.code, 'forwarder-name-invalid');
});

test('the same address in two namespaces is fine (scenario 06); twice in one is not, however it is spelled', () => {
  assert.deepEqual(
    codes({
      namespaces: [{ name: 'a' }, { name: 'b' }],
      veths: [pair(['a', 'x', ['10.0.0.1/24']], ['host', 'y', ['10.0.0.2/24']]), pair(['b', 'x', ['10.0.0.1/24']], ['host', 'z', ['10.1.0.2/24']])],
    }),
    [],
  );
  assert.deepEqual(codes({ namespaces: [{ name: 'a' }], veths: [pair(['a', 'x', ['2001:db8::1/64', '2001:0db8:0:0::1/64']], ['host', 'y'])] }), [
    'duplicate-address',
  ]);
});

test('overlapping subnets: same subnet is an error, nested a warning, separate VRFs or one interface fine', () => {
  const base = {
    namespaces: [
      {
        name: 'r',
        vrfs: [
          { name: 'red', table: 10 },
          { name: 'blue', table: 20 },
        ],
      },
      { name: 'a' },
      { name: 'b' },
    ],
  };
  assert.deepEqual(codes({ ...base, veths: [pair(['r', 'x', ['10.0.0.1/24']], ['a', 'x']), pair(['r', 'y', ['10.0.0.2/24']], ['b', 'y'])] }), [
    'subnet-overlap',
  ]);
  assert.deepEqual(codes({ ...base, veths: [pair(['r', 'x', ['10.0.0.1/16']], ['a', 'x']), pair(['r', 'y', ['10.0.1.1/24']], ['b', 'y'])] }), [
    'warning:subnet-overlap',
  ]);
  assert.deepEqual(
    codes({ ...base, veths: [pair(['r', 'x', ['10.0.0.1/24'], 'red'], ['a', 'x']), pair(['r', 'y', ['10.0.0.2/24'], 'blue'], ['b', 'y'])] }),
    [],
  );
  assert.deepEqual(codes({ ...base, veths: [pair(['r', 'x', ['10.0.0.1/24', '10.0.0.2/24']], ['a', 'x'])] }), []);
});

test('routes: link-local gateway needs dev; host gets warnings (it has interfaces the file does not list)', () => {
  const v = [pair(['a', 'x', ['10.0.0.2/24']], ['host', 'y', ['10.0.0.1/24']])];
  assert.deepEqual(codes({ namespaces: [{ name: 'a', routes: [{ to: '::/0', via: 'fe80::1', dev: 'x' }] }], veths: v }), []);
  assert.deepEqual(codes({ namespaces: [{ name: 'a', routes: [{ to: '::/0', via: 'fe80::1' }] }], veths: v }), ['gateway-unreachable']);
  assert.deepEqual(
    codes({
      namespaces: [
        {
          name: 'a',
          routes: [
            { to: 'default', via: '10.0.0.1', dev: 'x' },
            { to: '10.5.0.0/16', dev: 'lo' },
            { to: '10.6.0.9', via: '10.0.0.1' },
          ],
        },
      ],
      veths: v,
    }),
    [],
  );
  assert.deepEqual(codes({ namespaces: [{ name: 'a', routes: [{ to: 'default', via: '10.0.0.2' }] }], veths: v }), ['gateway-unreachable']);
  assert.deepEqual(codes({ namespaces: [{ name: 'host', routes: [{ to: '10.9.0.0/16', via: '172.17.0.1', dev: 'eth0' }] }] }), [
    'warning:unknown-interface',
    'warning:gateway-unreachable',
  ]);
});

test('nat: host interfaces the file does not list are warnings; iptables wildcards are fine', () => {
  assert.deepEqual(codes({ namespaces: [{ name: 'host', nat: [{ action: 'masquerade', source: '10.0.0.0/24', outInterface: 'eth0' }] }] }), [
    'warning:unknown-interface',
  ]);
  assert.deepEqual(
    codes({
      namespaces: [
        {
          name: 'r',
          nat: [
            { action: 'masquerade', outInterface: 'veth+' },
            { action: 'snat', source: '10.0.0.0/8', toAddress: '192.0.2.1' },
            { action: 'dnat', protocol: 'udp', port: 53, toAddress: '[2001:db8::1]:53' },
          ],
        },
      ],
    }),
    [],
  );
  assert.deepEqual(codes({ namespaces: [{ name: 'r', nat: [{ action: 'dnat', toAddress: '10.0.0.1:99999' }] }] }), ['invalid-ip']);
});

test('forwarders: wildcard and loopback listeners are allowed; a wildcard clashes with a specific address on its port', () => {
  const fw = (name: string, address: string, port: number, protocol: 'tcp' | 'udp' = 'tcp') => ({
    name,
    protocol,
    listen: { namespace: 'a', address, port },
    target: { namespace: 'host', address: 'example.com', port: 80 },
  });
  const ns = { namespaces: [{ name: 'a' }], veths: [pair(['a', 'x', ['10.0.0.2/24']], ['host', 'y', ['10.0.0.1/24']])] };
  assert.deepEqual(
    codes({ ...ns, forwarders: [fw('a', '0.0.0.0', 1), fw('b', '::', 1), fw('c', '127.0.0.1', 2), fw('d', '10.0.0.2', 3), fw('e', '0.0.0.0', 3, 'udp')] }),
    [],
  );
  assert.deepEqual(codes({ ...ns, forwarders: [fw('a', '10.0.0.2', 1), fw('b', '0.0.0.0', 1)] }), ['duplicate-listen']);
  assert.deepEqual(
    codes({ ...ns, forwarders: [fw('a', '10.0.0.2', 1), { ...fw('b', '10.0.0.2', 2), target: { namespace: 'a', address: 'not a host!', port: 1 } }] }),
    ['invalid-ip'],
  );
  // the host has addresses the file does not describe: a warning there
  assert.deepEqual(codes({ forwarders: [{ ...fw('a', '192.0.2.7', 1), listen: { namespace: 'host', address: '192.0.2.7', port: 1 } }] }), [
    'warning:forwarder-listen-address',
  ]);
});

test('a bridge port without addresses and a VRF-enslaved bridge are fine', () => {
  assert.deepEqual(
    codes({
      namespaces: [{ name: 'a', vrfs: [{ name: 'v', table: 7 }] }],
      bridges: [{ name: 'br0', namespace: 'a', master: 'v', addresses: ['10.1.0.1/24'] }],
      veths: [pair(['a', 'p', [], 'br0'], ['host', 'q'])],
    }),
    [],
  );
});

test('validation is quick on a large document (500 namespaces on a host bridge)', () => {
  const n = 500;
  const t = doc({
    namespaces: Array.from({ length: n }, (_, i) => ({ name: `ns${i}`, routes: [{ to: 'default', via: '10.0.0.1' }] })),
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.0.0.1/16'] }],
    veths: Array.from({ length: n }, (_, i) => pair([`ns${i}`, 'eth0', [`10.0.${(i >> 8) + 1}.${i & 255}/16`]], ['host', `v${i}`, [], 'br0'])),
  });
  const start = performance.now();
  assert.deepEqual(validateTopology(t), []);
  const ms = performance.now() - start;
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});
