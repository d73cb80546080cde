/**
 * Hostile documents (issue 15): the rules must cost O(n · prefixes), not O(n²),
 * and still say what the old pairwise rules said. The pairwise versions are kept
 * here as the reference: on random small documents the indexed rules report
 * exactly the first issue the pairwise ones reported for each field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { Topology, type TopologyInput } from '../model/schema';
import { formatPath } from '../yaml/errors';
import { loadTopology } from '../yaml/load';
import { manyAddressesDocument, manyInterfacesDocument } from '../../testing/hostile-documents';
import { issue, q, type ValidationIssue } from './issue';
import { networkOf, parseIp, sameIp, subnetsOverlap, type Cidr, type Ip } from './ip';
import { indexTopology, routingDomain, type InterfaceFact, type TopologyIndex } from './topology-index';
import { addressRules } from './rules/addresses';
import { forwarderRules } from './rules/forwarders';
import { validateTopology } from './validate';

/** The rule as it was before issue 15: every address against every earlier one. */
function pairwiseAddressRules(ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const perNs = new Map<string, { f: InterfaceFact; cidr: Cidr; path: (string | number)[] }[]>();
  for (const f of ix.interfaces) {
    for (const a of f.addresses) {
      if (!a.cidr) {
        out.push(issue('invalid-address', [...a.path], 'x'));
        continue;
      }
      const list = perNs.get(f.namespace) ?? [];
      perNs.set(f.namespace, list);
      const dup = list.find((o) => sameIp(o.cidr.addr, a.cidr!.addr));
      if (dup) {
        out.push(
          issue(
            'duplicate-address',
            [...a.path],
            `address ${a.cidr.addr.toString()} is already on ${q(dup.f.name)} in namespace ${q(f.namespace)} (${formatPath(dup.path)})`,
          ),
        );
        continue;
      }
      list.push({ f, cidr: a.cidr, path: [...a.path] });
    }
  }
  for (const [ns, list] of perNs) {
    for (let i = 0; i < list.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = list[i];
        const b = list[j];
        if (a.f === b.f || !subnetsOverlap(a.cidr, b.cidr) || routingDomain(ix, a.f) !== routingDomain(ix, b.f)) continue;
        if (a.cidr.prefix === b.cidr.prefix) {
          out.push(
            issue(
              'subnet-overlap',
              a.path,
              `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} is also on ${q(b.f.name)} in namespace ${q(ns)}: two connected routes for one subnet, so one interface becomes unreachable (put them on a bridge, or in different VRFs)`,
            ),
          );
        } else {
          out.push(
            issue(
              'subnet-overlap',
              a.path,
              `subnet ${networkOf(a.cidr)} of ${q(a.f.name)} overlaps ${networkOf(b.cidr)} of ${q(b.f.name)} in namespace ${q(ns)}: the longer prefix wins for the shared addresses`,
              'warning',
            ),
          );
        }
      }
    }
  }
  return out;
}

/** The listener clash check as it was: every listener against every earlier one. */
function pairwiseListenClashes(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const listeners: { fi: number; ns: string; proto: string; ip: Ip; port: number }[] = [];
  t.forwarders.forEach((f, fi) => {
    const ip = parseIp(f.listen.address);
    if (!ip) return;
    const ns = f.listen.namespace;
    const clash = listeners.find(
      (l) =>
        l.ns === ns &&
        l.proto === f.protocol &&
        l.port === f.listen.port &&
        l.ip.kind() === ip.kind() &&
        (sameIp(l.ip, ip) || l.ip.range() === 'unspecified' || ip.range() === 'unspecified'),
    );
    if (clash)
      out.push(
        issue(
          'duplicate-listen',
          ['forwarders', fi, 'listen', 'port'],
          `${f.protocol} ${f.listen.address}:${f.listen.port} in namespace ${q(ns)} is already taken by forwarder ${q(t.forwarders[clash.fi].name)}`,
        ),
      );
    listeners.push({ fi, ns, proto: f.protocol, ip, port: f.listen.port });
  });
  return out;
}

/** The first issue of each (field, severity), as the indexed rules report them. */
function firstPerField(issues: ValidationIssue[]): string[] {
  const seen = new Map<string, ValidationIssue>();
  for (const i of issues) {
    const k = `${formatPath(i.path)} ${i.severity}`;
    if (!seen.has(k)) seen.set(k, i);
  }
  return [...seen.values()].map((i) => JSON.stringify([formatPath(i.path), i.severity, i.code, i.message])).sort();
}
const asStrings = (issues: ValidationIssue[]) => issues.map((i) => JSON.stringify([formatPath(i.path), i.severity, i.code, i.message])).sort();

const doc = (d: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...d });
// few namespaces, interfaces and subnets, so overlaps, nesting, duplicates and VRFs all occur
const arbNs = fc.constantFrom('host', 'a', 'b');
const arbAddr = fc.oneof(
  fc
    .tuple(fc.constantFrom('10.0.0.', '10.0.1.', '10.1.0.'), fc.integer({ min: 0, max: 3 }), fc.constantFrom(8, 16, 23, 24, 30, 32))
    .map(([p, h, l]) => `${p}${h}/${l}`),
  fc
    .tuple(fc.constantFrom('2001:db8::', '2001:db8:0:1::', '2001:0db8::'), fc.integer({ min: 0, max: 3 }), fc.constantFrom(32, 48, 64, 128))
    .map(([p, h, l]) => `${p}${h}/${l}`),
  fc.constant('not-an-address'),
);
const arbEnd = fc.record({
  namespace: arbNs,
  name: fc.constantFrom('x', 'y', 'z'),
  addresses: fc.array(arbAddr, { maxLength: 3 }),
  master: fc.option(fc.constantFrom('red', 'br0'), { nil: undefined }),
});
const arbDoc = fc
  .record({
    veths: fc.array(fc.tuple(arbEnd, arbEnd), { maxLength: 5 }),
    bridges: fc.array(
      fc.record({
        namespace: arbNs,
        name: fc.constantFrom('br0', 'br1'),
        addresses: fc.array(arbAddr, { maxLength: 2 }),
        master: fc.option(fc.constant('red'), { nil: undefined }),
      }),
      { maxLength: 2 },
    ),
    forwarders: fc.array(
      fc.record({
        protocol: fc.constantFrom('tcp', 'udp'),
        ns: arbNs,
        address: fc.constantFrom('0.0.0.0', '::', '127.0.0.1', '10.0.0.1', '2001:db8::1', '2001:0db8::1'),
        port: fc.constantFrom(80, 81),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ veths, bridges, forwarders }) =>
    doc({
      namespaces: [{ name: 'a', vrfs: [{ name: 'red', table: 10 }] }, { name: 'b' }],
      veths: veths.map((ends) => ({ ends })) as TopologyInput['veths'],
      bridges,
      forwarders: forwarders.map((f, i) => ({
        name: `f${i}`,
        protocol: f.protocol,
        listen: { namespace: f.ns, address: f.address, port: f.port },
        target: { namespace: 'host', address: '10.9.9.9', port: 1 },
      })) as TopologyInput['forwarders'],
    }),
  );

test('indexed address rules report the first issue the pairwise rules reported for each address', () => {
  fc.assert(
    fc.property(arbDoc, (t) => {
      const ix = indexTopology(t);
      const mine = addressRules(t, ix).filter((i) => i.code !== 'invalid-address');
      assert.deepEqual(asStrings(mine), firstPerField(pairwiseAddressRules(ix).filter((i) => i.code !== 'invalid-address')));
    }),
    { numRuns: 2000 },
  );
});

test('indexed listener clashes are the pairwise ones', () => {
  fc.assert(
    fc.property(arbDoc, (t) => {
      const mine = forwarderRules(t, indexTopology(t)).filter((i) => i.code === 'duplicate-listen');
      assert.deepEqual(asStrings(mine), asStrings(pairwiseListenClashes(t)));
    }),
    { numRuns: 2000 },
  );
});

/** Calls of ipaddr.js's per-address methods while `fn` runs: the work the rules do, counted rather than timed. */
function countAddressWork(fn: () => void): number {
  const methods = ['match', 'toNormalizedString', 'toByteArray', 'toString', 'range'] as const;
  let calls = 0;
  const restore: (() => void)[] = [];
  for (const proto of [ipaddr.IPv4.prototype, ipaddr.IPv6.prototype] as unknown as Record<string, (...a: unknown[]) => unknown>[]) {
    for (const m of methods) {
      const orig = proto[m];
      proto[m] = function (this: unknown, ...args: unknown[]) {
        calls++;
        return orig.apply(this, args);
      };
      restore.push(() => (proto[m] = orig));
    }
  }
  try {
    fn();
  } finally {
    for (const r of restore) r();
  }
  return calls;
}

const loaded = (text: string) => {
  const r = loadTopology(text, 'hostile.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors.slice(0, 3)));
  return r.doc;
};

test('2 × 10 000 addresses: validation work grows with n, not n² (the pairwise rules made 10⁸ comparisons, ~46 s)', () => {
  const t = loaded(manyAddressesDocument(10_000));
  let issues: ValidationIssue[] = [];
  const start = performance.now();
  const calls = countAddressWork(() => (issues = validateTopology(t)));
  const ms = performance.now() - start;
  assert.deepEqual(issues, []);
  // a few calls per address; the pairwise rule made two per pair (10⁸)
  assert.ok(calls < 20 * 20_000, `${calls} address operations for 20 000 addresses`);
  // generous: the quadratic rule took ~46 s here
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
});

test('2 000 interfaces, routes and forwarders in one namespace: no rule walks routes × addresses or listeners × listeners', () => {
  const n = 2000;
  const t = loaded(manyInterfacesDocument(n));
  let issues: ValidationIssue[] = [];
  const calls = countAddressWork(() => (issues = validateTopology(t)));
  assert.deepEqual(issues, []);
  // per object a handful (4n addresses + n routes + n listeners); pairwise was ~n² = 4·10⁶ per rule
  assert.ok(calls < 50 * n, `${calls} address operations for n = ${n}`);
});

test('a gateway unreachable from a namespace with thousands of subnets names a few of them, not all', () => {
  const t = loaded(manyInterfacesDocument(300).replace('via: 10.0.0.2 }', 'via: 192.0.2.1 }'));
  const [i] = validateTopology(t);
  assert.equal(i?.code, 'gateway-unreachable');
  assert.match(i.message, /not on any subnet connected to namespace "a" \(10\.0\.0\.0\/30, .* and 292 more\)$/);
});
