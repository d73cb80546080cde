/**
 * The reachability analysis on documents: one table row per fault class, each
 * made by changing a working topology in one place; the prediction must fail
 * (or be unknown), at the hop where the fault is, with a reason naming it. The
 * unchanged topologies reach everywhere they should.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type TopologyInput } from '../model/schema';
import { netOfDocument } from './from-document';
import { parseFilterLines } from './iptables';
import { reachMatrix } from './matrix';
import { withNamespace, type Net } from './net';
import { parseRuleText } from './from-observed';
import { trace } from './trace';

const doc = (t: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...t });

/** Scenario 04's shape: ns1 — router — ns2, masquerading towards ns2; `patch` changes one thing. */
function routed(patch: (t: any) => void = () => {}): Topology {
  const t: any = {
    namespaces: [
      { name: 'ns1', routes: [{ to: 'default', via: '192.168.1.254' }] },
      { name: 'ns2', routes: [{ to: 'default', via: '192.168.2.254' }] },
      { name: 'r', sysctls: { 'net.ipv4.ip_forward': '1' }, nat: [{ action: 'masquerade', source: '192.168.1.0/24', outInterface: 'r2' }] },
    ],
    veths: [
      {
        ends: [
          { namespace: 'ns1', name: 'v1', addresses: ['192.168.1.1/24'] },
          { namespace: 'r', name: 'r1', addresses: ['192.168.1.254/24'] },
        ],
      },
      {
        ends: [
          { namespace: 'ns2', name: 'v2', addresses: ['192.168.2.1/24'] },
          { namespace: 'r', name: 'r2', addresses: ['192.168.2.254/24'] },
        ],
      },
    ],
  };
  patch(t);
  return doc(t);
}

/** Scenario 03's shape: ns1 and ns2 on bridge br0 in host. */
function bridged(patch: (t: any) => void = () => {}): Topology {
  const t: any = {
    namespaces: [{ name: 'host' }, { name: 'ns1' }, { name: 'ns2' }],
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['192.168.0.1/24'] }],
    veths: [
      {
        ends: [
          { namespace: 'ns1', name: 'veth1', addresses: ['192.168.0.2/24'] },
          { namespace: 'host', name: 'veth1-br', master: 'br0' },
        ],
      },
      {
        ends: [
          { namespace: 'ns2', name: 'veth2', addresses: ['192.168.0.3/24'] },
          { namespace: 'host', name: 'veth2-br', master: 'br0' },
        ],
      },
    ],
  };
  patch(t);
  return doc(t);
}

/** ns a reaches b through router r, while b answers over a direct link to a: asymmetric. */
function asymmetric(rpFilter: string): Topology {
  return doc({
    namespaces: [
      { name: 'a', sysctls: { 'net.ipv4.conf.all.rp_filter': rpFilter }, routes: [{ to: '10.2.0.0/24', via: '10.1.0.254' }] },
      { name: 'r', sysctls: { 'net.ipv4.ip_forward': '1' } },
      { name: 'b', routes: [{ to: '10.1.0.0/24', via: '10.3.0.1' }] },
    ],
    veths: [
      {
        ends: [
          { namespace: 'a', name: 'a1', addresses: ['10.1.0.1/24'] },
          { namespace: 'r', name: 'r1', addresses: ['10.1.0.254/24'] },
        ],
      },
      {
        ends: [
          { namespace: 'r', name: 'r2', addresses: ['10.2.0.254/24'] },
          { namespace: 'b', name: 'b1', addresses: ['10.2.0.1/24'] },
        ],
      },
      {
        ends: [
          { namespace: 'a', name: 'a2', addresses: ['10.3.0.1/24'] },
          { namespace: 'b', name: 'b2', addresses: ['10.3.0.2/24'] },
        ],
      },
    ],
  });
}

test('working topologies: every pair of the routed and bridged LANs reaches, hops there and back', () => {
  for (const d of [routed(), bridged()]) {
    const m = reachMatrix(netOfDocument(d));
    assert.ok(m.length >= 6);
    for (const r of m) assert.equal(r.predicted, 'ok', `${r.from} → ${r.to}: ${r.reason}`);
  }
  const r = trace(netOfDocument(routed()), 'ns1', '192.168.2.1');
  const where = r.hops.map((h) => `${h.direction} ${h.ns} ${h.kind} ${h.iface ?? ''}`.trim());
  assert.deepEqual(where, [
    'request ns1 send v1',
    'request r receive r1',
    'request r nat r2',
    'request r forward r2',
    'request ns2 receive v2',
    'request ns2 deliver v2',
    'reply ns2 send v2',
    'reply r receive r2',
    'reply r nat r2',
    'reply r forward r1',
    'reply ns1 receive v1',
    'reply ns1 deliver v1',
  ]);
  assert.equal(r.hops.find((h) => h.kind === 'nat')!.text, 'masquerade: source 192.168.1.1 → 192.168.2.254');
  assert.equal(r.hops[0].entry, 'default via 192.168.1.254');
});

interface Fault {
  name: string;
  net: () => Net;
  from: string;
  to: string;
  code: string;
  ns: string;
  direction?: 'request' | 'reply';
  /** words the reason must contain */
  says: RegExp;
  fix?: RegExp;
  predicted?: 'fail' | 'unknown';
}

const FAULTS: Fault[] = [
  {
    name: 'link down on the far side (peer end down: no carrier)',
    net: () => netOfDocument(routed((t) => (t.veths[1].ends[0].up = false))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-carrier',
    ns: 'r',
    says: /peer v2 in ns2 is down/,
    fix: /ip -n ns2 link set dev v2 up|up: true/,
  },
  {
    name: 'link down on the sending side (its routes are gone)',
    net: () => netOfDocument(routed((t) => (t.veths[0].ends[0].up = false))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'link-down',
    ns: 'ns1',
    says: /v1 is down/,
  },
  {
    name: 'no route',
    net: () => netOfDocument(routed((t) => (t.namespaces[0].routes = []))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-route',
    ns: 'ns1',
    says: /no route to 192\.168\.2\.1/,
    fix: /routes/,
  },
  {
    name: 'wrong gateway (on-link, nobody holds it)',
    net: () => netOfDocument(routed((t) => (t.namespaces[0].routes = [{ to: 'default', via: '192.168.1.253' }]))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'wrong-gateway',
    ns: 'ns1',
    says: /gateway 192\.168\.1\.253 does not answer on v1/,
  },
  {
    name: 'forwarding off in the router',
    net: () => netOfDocument(routed((t) => (t.namespaces[2].sysctls = {}))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'forwarding-off',
    ns: 'r',
    says: /forwarding is off \(net\.ipv4\.ip_forward=0\)/,
    fix: /net\.ipv4\.ip_forward: "1"/,
  },
  {
    name: 'missing masquerade on the way out (the far side has no route back)',
    net: () => netOfDocument(routed((t) => ((t.namespaces[1].routes = []), (t.namespaces[2].nat = [])))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-return-route',
    ns: 'ns2',
    direction: 'reply',
    says: /without masquerade/,
    fix: /masquerade.*outInterface: r2/,
  },
  {
    name: 'FORWARD policy DROP with bridge netfilter',
    net: () =>
      withNamespace(netOfDocument(bridged()), 'host', {
        filter: { chains: parseFilterLines([':INPUT ACCEPT [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]']) },
      }),
    from: 'ns1',
    to: '192.168.0.3',
    code: 'filter-drop',
    ns: 'host',
    says: /FORWARD policy is DROP.*bridge netfilter.*br0/,
    fix: /iptables -I FORWARD -i br0 -o br0.*acceptForward: true/,
  },
  {
    name: 'a rule the analysis cannot evaluate is quoted, not guessed',
    net: () =>
      withNamespace(netOfDocument(bridged()), 'host', {
        filter: { chains: parseFilterLines([':FORWARD DROP [0:0]', '-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT']) },
      }),
    from: 'ns1',
    to: '192.168.0.3',
    code: 'filter-unknown',
    ns: 'host',
    predicted: 'unknown',
    says: /"-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT"/,
  },
  {
    name: 'strict rp_filter with an asymmetric path',
    net: () => netOfDocument(asymmetric('1')),
    from: 'a',
    to: '10.2.0.1',
    code: 'rp-filter',
    ns: 'a',
    direction: 'reply',
    says: /rp_filter is strict.*leaves by a1, not a2/,
    fix: /rp_filter/,
  },
  {
    name: 'a fault only on the return path (the answering side has no route back)',
    net: () => netOfDocument(routed((t) => (t.namespaces[0].routes = []))),
    from: 'ns2',
    to: '192.168.1.1',
    code: 'no-return-route',
    ns: 'ns1',
    direction: 'reply',
    says: /ns1 has no route back to 192\.168\.2\.1/,
  },
  {
    name: 'a policy rule to an empty table, with main gone',
    net: () => {
      const n = netOfDocument(routed());
      const ns1 = n.namespaces.get('ns1')!;
      ns1.rules[4] = ['0: from all lookup local', '100: from all lookup 100'].map((text, i) => parseRuleText({ family: 4, priority: i ? 100 : 0, text }));
      return n;
    },
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-route',
    ns: 'ns1',
    says: /table 100 \(empty\).*no rule looks up main/,
    fix: /lookup main/,
  },
  {
    name: 'an unreachable route',
    net: () => netOfDocument(routed((t) => t.namespaces[0].routes.push({ to: '192.168.2.0/24', type: 'unreachable' }))),
    from: 'ns1',
    to: '192.168.2.1',
    code: 'route-type',
    ns: 'ns1',
    says: /discards.*unreachable/,
  },
  {
    name: 'bridge down',
    net: () => netOfDocument(bridged((t) => (t.bridges[0].up = false))),
    from: 'ns1',
    to: '192.168.0.3',
    code: 'bridge-down',
    ns: 'host',
    says: /bridge br0 is down/,
  },
  {
    name: 'bridge port down',
    net: () => netOfDocument(bridged((t) => (t.veths[1].ends[1].up = false))),
    from: 'ns1',
    to: '192.168.0.3',
    code: 'port-down',
    ns: 'host',
    says: /bridge port veth2-br of br0 is down/,
  },
  {
    name: 'loopback down, pinging its own address',
    net: () => netOfDocument(routed((t) => (t.namespaces[0].loopback = 'down'))),
    from: 'ns1',
    to: '192.168.1.1',
    code: 'loopback-down',
    ns: 'ns1',
    says: /loopback is down/,
  },
];

for (const f of FAULTS) {
  test(`fault: ${f.name}`, () => {
    const r = trace(f.net(), f.from, f.to);
    assert.equal(r.predicted, f.predicted ?? 'fail', r.reason);
    assert.equal(r.failure?.code, f.code, r.reason);
    assert.equal(r.failure?.ns, f.ns, r.reason);
    assert.equal(r.failure?.direction, f.direction ?? 'request', r.reason);
    assert.match(r.failure!.reason, f.says);
    if (f.fix) assert.match(r.failure!.fix, f.fix);
    assert.equal(r.hops.at(-1)?.kind, 'fail', 'the failing hop ends the hops');
  });
}

test('without the fault the same pings pass (each fault row is caused by its one change)', () => {
  assert.equal(trace(netOfDocument(asymmetric('0')), 'a', '10.2.0.1').predicted, 'ok');
  assert.equal(trace(netOfDocument(asymmetric('2')), 'a', '10.2.0.1').predicted, 'ok', 'loose rp_filter accepts an asymmetric path');
  const noBack = routed((t) => (t.namespaces[1].routes = []));
  assert.equal(trace(netOfDocument(noBack), 'ns1', '192.168.2.1').predicted, 'ok', 'masquerade makes the reply go to the router');
  const n = netOfDocument(bridged());
  assert.equal(
    trace(
      withNamespace(n, 'host', { filter: { chains: parseFilterLines([':FORWARD DROP [0:0]', '-A FORWARD -i br0 -o br0 -j ACCEPT']) } }),
      'ns1',
      '192.168.0.3',
    ).predicted,
    'ok',
  );
  const noBridgeNf = withNamespace(n, 'host', { bridgeNf: false, filter: { chains: parseFilterLines([':FORWARD DROP [0:0]']) } });
  assert.equal(trace(noBridgeNf, 'ns1', '192.168.0.3').predicted, 'ok', 'without bridge netfilter bridged traffic skips FORWARD');
});

test('DNAT is carried on and undone for the reply', () => {
  const d = routed((t) => {
    t.namespaces[2].nat = [{ action: 'dnat', destination: '192.168.1.254', inInterface: 'r1', toAddress: '192.168.2.1' }];
  });
  const r = trace(netOfDocument(d), 'ns1', '192.168.1.254');
  assert.equal(r.predicted, 'ok', r.reason);
  assert.equal(r.reason, 'reaches ns2 and back');
  assert.ok(r.hops.some((h) => h.text === 'un-DNAT (conntrack): source 192.168.2.1 → 192.168.1.254'));
});

test('unknown namespace and bad address are answered, not thrown', () => {
  const n = netOfDocument(routed());
  assert.equal(trace(n, 'nope', '1.2.3.4').failure?.code, 'unknown-namespace');
  assert.equal(trace(n, 'ns1', 'x').failure?.code, 'bad-address');
});

test('path ids for the canvas: namespaces, bridges and veth edges hop by hop; the failing node', async () => {
  const { pathIds } = await import('./path-ids');
  const d = bridged();
  const ok = pathIds(d, trace(netOfDocument(d), 'ns1', '192.168.0.3'));
  assert.deepEqual(ok.nodes, ['ns:ns1', 'ns:host', 'br:host/br0', 'ns:ns2']);
  assert.deepEqual(ok.edges, ['veth:ns1/veth1', 'veth:ns2/veth2']);
  assert.equal(ok.failNode, undefined);
  const down = bridged((t) => (t.bridges[0].up = false));
  assert.equal(pathIds(down, trace(netOfDocument(down), 'ns1', '192.168.0.3')).failNode, 'br:host/br0');
  const r = routed((t) => (t.namespaces[2].sysctls = {}));
  assert.equal(pathIds(r, trace(netOfDocument(r), 'ns1', '192.168.2.1')).failNode, 'ns:r');
});
