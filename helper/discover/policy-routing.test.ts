/**
 * What discover writes into a document for policy routing, from observed facts
 * (no kernel needed): the kernel's own rules stay implicit, the rest become rules;
 * routes in any table, local routes, onlink and multipath; tables by the host's
 * rt_tables names when it has them; rules the model cannot say are left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservedHost, ObservedLink, ObservedNamespace, ObservedRoute, ObservedRule } from '../../shared/model/observed';
import { validateTopology } from '../../shared/validate/validate';
import { toDocument } from './to-document';
import { hostTableNames, parseRtTables } from './rt-tables';

const link = (name: string, addresses: string[]): ObservedLink => ({
  ifindex: name.length,
  name,
  kind: 'veth' as const,
  rawKind: 'veth',
  up: true,
  oper: 'UP',
  carrier: true,
  mtu: 1500,
  addresses: addresses.map((cidr) => ({ cidr, family: (cidr.includes(':') ? 6 : 4) as 4 | 6, scope: 'global' })),
});
const kernelRules: ObservedRule[] = [
  { family: 4, priority: 0, table: 'local', tableId: 255, text: '0: from all lookup local' },
  { family: 4, priority: 32766, table: 'main', tableId: 254, text: '32766: from all lookup main' },
  { family: 4, priority: 32767, table: 'default', tableId: 253, text: '32767: from all lookup default' },
  { family: 6, priority: 0, table: 'local', tableId: 255, text: '0: from all lookup local' },
  { family: 6, priority: 32766, table: 'main', tableId: 254, text: '32766: from all lookup main' },
  { family: 4, priority: 1000, l3mdev: true, text: '1000: from all lookup [l3mdev-table]' },
];

function host(rules: ObservedRule[], routes: ObservedRoute[]): ObservedHost {
  const r: ObservedNamespace = {
    name: 'r',
    inode: 1,
    named: true,
    nsids: {},
    sysctls: {},
    warnings: [],
    links: [link('up1', ['10.0.1.2/24', '2001:db8:1::2/64']), link('up2', ['10.0.2.2/24', '2001:db8:2::2/64'])],
    routes,
    rules: [...kernelRules, ...rules],
  };
  const peer = (n: string): ObservedNamespace => ({
    name: n,
    inode: 2 + n.length,
    named: true,
    nsids: {},
    sysctls: {},
    warnings: [],
    links: [],
    routes: [],
    rules: [],
  });
  // the uplinks' far ends, so the veths make it into the document
  const p1 = { ...peer('isp1'), links: [link('e1', ['10.0.1.1/24', '2001:db8:1::1/64'])] };
  const p2 = { ...peer('isp2x'), links: [link('e2', ['10.0.2.1/24', '2001:db8:2::1/64'])] };
  r.links[0] = { ...r.links[0], ifindex: 10, peer: { namespace: 'isp1', ifindex: 20 } };
  r.links[1] = { ...r.links[1], ifindex: 11, peer: { namespace: 'isp2x', ifindex: 21 } };
  p1.links[0] = { ...p1.links[0], ifindex: 20, peer: { namespace: 'r', ifindex: 10 } };
  p2.links[0] = { ...p2.links[0], ifindex: 21, peer: { namespace: 'r', ifindex: 11 } };
  return { readAt: 0, durationMs: 0, warnings: [], namespaces: [r, p1, p2] };
}

const rules: ObservedRule[] = [
  { family: 4, priority: 100, from: '10.0.1.0/24', table: '101', tableId: 101, text: '' },
  { family: 4, priority: 110, fwmark: 1, fwmask: 0xff, table: '102', tableId: 102, text: '' },
  { family: 4, priority: 120, to: '10.66.0.0/16', iif: 'up1', action: 'blackhole', text: '' },
  { family: 4, priority: 130, from: '10.9.0.0/16', not: true, table: '101', tableId: 101, text: '' },
  { family: 4, priority: 140, action: 'goto', text: '' },
  { family: 6, priority: 100, from: '2001:db8:1::/64', table: '101', tableId: 101, text: '' },
  { family: 6, priority: 105, oif: 'up2', table: '102', tableId: 102, text: '' },
];
const routes: ObservedRoute[] = [
  { family: 4, type: 'unicast', dst: 'default', via: '10.0.1.1', dev: 'up1', table: 101, protocol: 'boot' },
  {
    family: 4,
    type: 'unicast',
    dst: 'default',
    table: 102,
    protocol: 'boot',
    nexthops: [
      { via: '10.0.2.1', dev: 'up2', weight: 2 },
      { via: '10.0.1.1', dev: 'up1', weight: 1 },
    ],
  },
  { family: 4, type: 'unicast', dst: '10.8.0.0/16', via: '10.99.0.1', dev: 'up2', table: 254, protocol: 'boot', onlink: true },
  { family: 4, type: 'local', dst: '10.5.0.0/24', dev: 'lo', table: 255, protocol: 'boot', scope: 'host' },
  { family: 4, type: 'local', dst: '10.0.1.2', dev: 'up1', table: 255, protocol: 'kernel', scope: 'host' },
  { family: 4, type: 'broadcast', dst: '10.0.1.255', dev: 'up1', table: 255, protocol: 'kernel' },
  { family: 6, type: 'unicast', dst: 'default', via: '2001:db8:1::1', dev: 'up1', table: 101, protocol: 'boot', metric: 1024 },
  { family: 6, type: 'unicast', dst: 'default', via: '2001:db8:2::1', dev: 'up2', table: 102, protocol: 'boot', metric: 1024 },
];

test("discover: rules beyond the kernel's own, routes in every table, local, onlink and multipath", () => {
  const doc = toDocument(host(rules, routes));
  const r = doc.namespaces.find((n) => n.name === 'r')!;
  assert.deepEqual(r.rules, [
    { priority: 100, from: '10.0.1.0/24', table: 101 },
    { priority: 110, fwmark: 1, fwmask: 0xff, table: 102 },
    { priority: 120, to: '10.66.0.0/16', iif: 'up1', action: 'blackhole' },
    { priority: 100, from: '2001:db8:1::/64', table: 101 },
    { priority: 105, family: 6, oif: 'up2', table: 102 },
  ]);
  assert.deepEqual(r.routes, [
    { to: 'default', via: '10.0.1.1', dev: 'up1', table: 101 },
    {
      to: 'default',
      table: 102,
      nexthops: [
        { via: '10.0.2.1', dev: 'up2', weight: 2 },
        { via: '10.0.1.1', dev: 'up1' },
      ],
    },
    { to: '10.8.0.0/16', via: '10.99.0.1', dev: 'up2', onlink: true },
    { to: '10.5.0.0/24', dev: 'lo', type: 'local' },
    { to: 'default', via: '2001:db8:1::1', dev: 'up1', table: 101 },
    { to: 'default', via: '2001:db8:2::1', dev: 'up2', table: 102 },
  ]);
  assert.equal(r.tables, undefined);
  assert.deepEqual(
    validateTopology(doc).filter((i) => i.severity === 'error'),
    [],
  );
});

test("discover: a rule the model cannot say is left out and reported, naming its namespace; the kernel's own rules are not", () => {
  const left: string[] = [];
  const unsaid: ObservedRule[] = [
    { family: 4, priority: 150, tableId: 101, table: '101', unsaid: ['tos 0x10'], text: '150: from all tos 0x10 lookup 101' },
    {
      family: 6,
      priority: 160,
      from: '2001:db8:1::/64',
      tableId: 254,
      table: 'main',
      unsaid: ['suppress_prefixlength 0'],
      text: '160: from 2001:db8:1::/64 lookup main suppress_prefixlength 0',
    },
    // looks like the kernel's main rule, but is not: it must not pass as implicit
    {
      family: 4,
      priority: 32766,
      tableId: 254,
      table: 'main',
      unsaid: ['suppress_prefixlength 0'],
      text: '32766: from all lookup main suppress_prefixlength 0',
    },
  ];
  const doc = toDocument(host([...rules, ...unsaid], routes), { onLeftOut: (ns, r, why) => left.push(`${ns} ${r.priority} ${why}`) });
  assert.deepEqual(left, ['r 130 not', 'r 140 goto', 'r 150 tos 0x10', 'r 160 suppress_prefixlength 0', 'r 32766 suppress_prefixlength 0']);
  assert.equal(doc.namespaces.find((n) => n.name === 'r')!.rules?.length, 5, 'the rules it can say are kept');
});

test('discover: tables the host names in rt_tables are written by name and declared in the namespace', () => {
  const doc = toDocument(host(rules.slice(0, 2), routes.slice(0, 2)), {
    tableNames: new Map([
      ['uplink1', 101],
      ['other', 7],
    ]),
  });
  const r = doc.namespaces.find((n) => n.name === 'r')!;
  assert.deepEqual(r.tables, { uplink1: 101 });
  assert.deepEqual(
    r.rules?.map((x) => x.table),
    ['uplink1', 102],
  );
  assert.deepEqual(
    r.routes.map((x) => x.table),
    ['uplink1', 102],
  );
  assert.deepEqual(
    validateTopology(doc).filter((i) => i.severity === 'error'),
    [],
  );
});

test('rt_tables: ID NAME lines, comments, hex ids; the kernel names are never taken; rt_tables.d adds, later files win', () => {
  assert.deepEqual(
    [...parseRtTables('# c\n255 local\n254\tmain\n0 unspec\n101 uplink1 # isp one\n0x66 uplink2\nbad line\n').entries()],
    [
      ['uplink1', 101],
      ['uplink2', 102],
    ],
  );
  const dir = mkdtempSync(join(tmpdir(), 'nss-rt-'));
  try {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    mkdirSync(join(b, 'rt_tables.d'), { recursive: true });
    mkdirSync(a);
    writeFileSync(join(a, 'rt_tables'), '101 uplink1\n');
    writeFileSync(join(b, 'rt_tables'), '201 uplink1\n');
    writeFileSync(join(b, 'rt_tables.d', 'vpn.conf'), '300 vpn\n');
    assert.deepEqual(
      [...hostTableNames([a, b]).entries()],
      [
        ['uplink1', 201],
        ['vpn', 300],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
