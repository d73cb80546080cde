/**
 * Apply returns a usable network: right after applyDocument resolves, ONE ping
 * (`-c1 -W1`) per pair succeeds, with no pause in between, for IPv4 over a bridge
 * inside a namespace, IPv6 with a non-default MTU (with DAD and with `nodad`),
 * and the bridge LAN and router scenarios of fixtures/. What cannot become
 * usable is reported by name: a veth end whose peer the document keeps down (at
 * once), an IPv6 address whose DAD fails (another namespace holds it), and
 * tentative addresses when the bound is shorter than DAD takes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type TopologyInput } from '../../shared/model/schema';
import { checkPings, type PingCheck } from '../../testing/pings';
import { prefixTopology } from '../../testing/prefix';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument, type ApplyOptions } from './pipeline';
import { applyScenarios, sandboxWrap, withStateDir } from '../../testing/apply-support';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping readiness tests: ${skip}`);

const topo = (t: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...t });

/** Apply in a fresh sandbox and ping at once; returns what the pings and readiness said. */
async function applyThenPing(tag: string, doc: Topology, pings: PingCheck[], opts: ApplyOptions = {}, after?: (sb: Sandbox) => Promise<void>) {
  return withSandbox(tag, async (sb) =>
    withStateDir(async (dir) => {
      const d = prefixTopology(doc, sb);
      const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
      const r = await applyDocument(d, opts, ctx);
      const failures = await checkPings(sb, pings);
      await after?.(sb);
      await destroyDocument(d, {}, ctx);
      return { r, failures };
    }),
  );
}

const bridgeInNs = topo({
  namespaces: [{ name: 'lan' }, { name: 'a' }, { name: 'b' }, { name: 'c' }],
  bridges: [{ name: 'br0', namespace: 'lan' }],
  veths: ['a', 'b', 'c'].map((n, i) => ({
    ends: [
      { namespace: n, name: 'eth0', addresses: [`10.9.0.${i + 1}/24`] },
      { namespace: 'lan', name: `p${n}`, master: 'br0' },
    ],
  })),
});
const allPairs = (hosts: [string, string][]): PingCheck[] =>
  hosts.flatMap(([from]) => hosts.filter(([to]) => to !== from).map(([, target]) => ({ from, target, expect: 'ok' as const })));

test('IPv4 over a bridge inside a namespace: one ping per pair right after apply', { skip }, async () => {
  const { r, failures } = await applyThenPing(
    'rdybr',
    bridgeInNs,
    allPairs([
      ['a', '10.9.0.1'],
      ['b', '10.9.0.2'],
      ['c', '10.9.0.3'],
    ]),
  );
  assert.ok(r.readiness?.ready, JSON.stringify(r.readiness));
  // 6 veth ends, the bridge, 3 ports
  assert.equal(r.readiness.checked, 10);
  assert.deepEqual(failures, []);
});

const v6 = (nodad?: boolean) =>
  topo({
    namespaces: [
      { name: 'a', ...(nodad ? { nodad } : {}) },
      { name: 'b', ...(nodad ? { nodad } : {}) },
    ],
    veths: [
      {
        ends: [
          { namespace: 'a', name: 'eth0', mtu: 9000, addresses: ['fd00:9::1/64'] },
          { namespace: 'b', name: 'eth0', mtu: 9000, addresses: ['fd00:9::2/64'] },
        ],
      },
    ],
  });
const v6Pings: PingCheck[] = [
  { from: 'a', target: 'fd00:9::2', expect: 'ok' },
  { from: 'b', target: 'fd00:9::1', expect: 'ok' },
];

test('IPv6 with MTU 9000: apply waits out duplicate address detection, then one ping each way succeeds', { skip }, async () => {
  const { r, failures } = await applyThenPing('rdyv6', v6(), v6Pings, {}, async (sb) => {
    const j = JSON.parse((await sb.inNs('a', ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout);
    const a = j[0].addr_info.find((x: { local: string }) => x.local === 'fd00:9::1');
    assert.equal(a.tentative, undefined, 'the address has left the tentative state');
    assert.equal(j[0].mtu, 9000);
  });
  assert.ok(r.readiness?.ready, JSON.stringify(r.readiness));
  assert.ok(r.readiness.rounds > 1, 'DAD was still running when the steps ended: the wait had something to do');
  assert.deepEqual(failures, []);
});

test('IPv6 with nodad: addresses are added with nodad and usable at once', { skip }, async () => {
  const { r, failures } = await applyThenPing('rdynd', v6(true), v6Pings, {}, async (sb) => {
    const j = JSON.parse((await sb.inNs('b', ['ip', '-j', 'addr', 'show', 'dev', 'eth0'])).stdout);
    const a = j[0].addr_info.find((x: { local: string }) => x.local === 'fd00:9::2');
    assert.equal(a.nodad, true, JSON.stringify(a));
  });
  assert.ok(r.readiness?.ready, JSON.stringify(r.readiness));
  assert.deepEqual(failures, []);
});

for (const name of ['03-bridge-lan', '04-router-nat']) {
  test(`scenario ${name}: every ping of the scenario, once, right after apply`, { skip }, async () => {
    const sc = applyScenarios().find((s) => s.name === name)!;
    const { r, failures } = await withSandbox('rdysc', async (sb) =>
      withStateDir(async (dir) => {
        const d = prefixTopology(sc.doc, sb);
        const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
        const r = await applyDocument(d, {}, ctx);
        const failures = await checkPings(sb, sc.pings);
        await destroyDocument(d, {}, ctx);
        return { r, failures };
      }),
    );
    assert.ok(r.readiness?.ready, JSON.stringify(r.readiness));
    assert.deepEqual(failures, []);
  });
}

test('a veth end whose peer the document keeps down is reported by name at once, not waited for', { skip }, async () => {
  const doc = topo({
    namespaces: [{ name: 'a' }, { name: 'b' }],
    veths: [
      {
        ends: [
          { namespace: 'a', name: 'eth0', addresses: ['10.9.1.1/24', 'fd00:91::1/64'] },
          { namespace: 'b', name: 'eth0', up: false },
        ],
      },
    ],
  });
  await withSandbox('rdydn', async (sb) =>
    withStateDir(async (dir) => {
      const d = prefixTopology(doc, sb);
      const r = await applyDocument(d, { readyTimeoutMs: 10_000 }, { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) });
      const held = r.readiness?.heldDown ?? [];
      assert.deepEqual(held.map((h) => h.object).sort(), [`addr:${sb.ns('a')}/eth0/fd00:91::1/64`, `link:${sb.ns('a')}/eth0`].sort());
      assert.match(held.find((h) => h.object.startsWith('link:'))!.reason, new RegExp(`peer ${sb.ns('b')}/eth0 is down`));
      assert.equal(r.readiness?.ready, true, 'nothing else was waited for');
      assert.equal(r.readiness?.rounds, 0, 'nothing to read: returned without waiting');
    }),
  );
});

test('an IPv6 address another namespace on the bridge holds: DAD fails, reported by name', { skip }, async () => {
  const doc = topo({
    namespaces: [{ name: 'lan' }, { name: 'a' }, { name: 'b' }],
    bridges: [{ name: 'br0', namespace: 'lan' }],
    veths: ['a', 'b'].map((n) => ({
      ends: [
        { namespace: n, name: 'eth0', addresses: ['fd00:92::7/64'] },
        { namespace: 'lan', name: `p${n}`, master: 'br0' },
      ],
    })),
  });
  await withSandbox('rdydf', async (sb) =>
    withStateDir(async (dir) => {
      const d = prefixTopology(doc, sb);
      const r = await applyDocument(d, { readyTimeoutMs: 8000 }, { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) });
      assert.equal(r.readiness?.ready, false);
      const failed = r.readiness!.notReady.filter((n) => /duplicate address detection failed/.test(n.reason));
      assert.ok(failed.length >= 1, JSON.stringify(r.readiness));
      for (const f of failed) assert.match(f.object, new RegExp(`^addr:${sb.prefix}[ab]/eth0/fd00:92::7/64$`));
    }),
  );
});

test('a bound shorter than DAD: the tentative addresses are named, and apply returns at the bound', { skip }, async () => {
  await withSandbox('rdyto', async (sb) =>
    withStateDir(async (dir) => {
      const d = prefixTopology(v6(), sb);
      const t0 = performance.now();
      const r = await applyDocument(d, { readyTimeoutMs: 150 }, { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) });
      const elapsed = performance.now() - t0;
      assert.equal(r.readiness?.ready, false);
      // carrier may or may not have come within 150 ms; DAD (1-2 s) cannot have ended
      const addrs = r.readiness!.notReady.filter((n) => n.object.startsWith('addr:'));
      assert.deepEqual(
        addrs.map((n) => n.object).sort(),
        [`addr:${sb.ns('a')}/eth0/fd00:9::1/64`, `addr:${sb.ns('b')}/eth0/fd00:9::2/64`],
        JSON.stringify(r.readiness),
      );
      for (const n of addrs) assert.match(n.reason, /tentative/);

      assert.ok(r.readiness!.waitedMs >= 150 && r.readiness!.waitedMs < 1000, `waited ${r.readiness!.waitedMs} ms for a 150 ms bound`);
      assert.ok(elapsed < 5000, `apply took ${elapsed} ms`);
    }),
  );
});

test('wait: false skips the wait', { skip }, async () => {
  await withSandbox('rdynw', async (sb) =>
    withStateDir(async (dir) => {
      const r = await applyDocument(prefixTopology(v6(), sb), { wait: false }, { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) });
      assert.equal(r.readiness, undefined);
    }),
  );
});
