import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology } from '../model/schema';
import { buildPlan } from './plan';
import { readinessExpectation } from './readiness';

const doc = Topology.parse({
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [{ name: 'lan' }, { name: 'a', nodad: true }, { name: 'b' }, { name: 'c' }, { name: 'off' }],
  bridges: [
    { name: 'br0', namespace: 'lan' },
    { name: 'br1', namespace: 'off', up: false },
  ],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'eth0', addresses: ['fd00::1/64', '10.0.0.1/24'] },
        { namespace: 'lan', name: 'pa', master: 'br0' },
      ],
    },
    {
      ends: [
        { namespace: 'b', name: 'eth0', addresses: ['fd00::2/64'] },
        { namespace: 'lan', name: 'pb', master: 'br0', up: false },
      ],
    },
    {
      ends: [
        { namespace: 'c', name: 'eth0' },
        { namespace: 'off', name: 'pc', master: 'br1' },
      ],
    },
  ],
});
const all = new Set(buildPlan(doc).map((s) => s.object));

test('a full build waits for every link with carrier, every port of an up bridge, every IPv6 address on them', () => {
  const e = readinessExpectation(doc, all);
  assert.deepEqual(e.links.map((l) => l.key).sort(), ['link:a/eth0', 'link:c/eth0', 'link:lan/br0', 'link:lan/pa', 'link:off/pc'].sort());
  assert.deepEqual(
    e.ports.map((p) => `${p.key}>${p.bridge}`),
    ['link:lan/pa>br0'],
  );
  assert.deepEqual(
    e.addresses.map((a) => a.key),
    ['addr:a/eth0/fd00::1/64'],
    'IPv4 has no DAD; fd00::2 sits on a link without carrier',
  );
});

test('what the document keeps from working is held down with the reason, not waited for', () => {
  const held = Object.fromEntries(readinessExpectation(doc, all).heldDown.map((h) => [h.object, h.reason]));
  assert.match(held['link:b/eth0'], /peer lan\/pb is down in the document/);
  assert.match(held['addr:b/eth0/fd00::2/64'], /stays tentative: b\/eth0 has no carrier/);
  assert.match(held['link:off/pc'], /bridge off\/br1 is down/);
  assert.deepEqual(Object.keys(held).sort(), ['addr:b/eth0/fd00::2/64', 'link:b/eth0', 'link:off/pc']);
});

test('only what the apply touched is waited for; a veth counts as touched from either end', () => {
  const e = readinessExpectation(doc, new Set(['link:lan/pa']));
  assert.deepEqual(e.links.map((l) => l.key).sort(), ['link:a/eth0', 'link:lan/pa']);
  assert.deepEqual(
    e.ports.map((p) => p.key),
    ['link:lan/pa'],
  );
  assert.deepEqual(e.addresses, []);
  assert.deepEqual(readinessExpectation(doc, new Set(['route:a/254/default'])), { links: [], ports: [], addresses: [], forwarders: [], heldDown: [] });
});

test("nodad: the planner adds that namespace's IPv6 addresses with nodad, IPv4 and other namespaces as before", () => {
  const argv = buildPlan(doc)
    .filter((s) => s.argv[1] === 'addr' && s.argv[2] === 'add')
    .map((s) => `${s.namespace}: ${s.argv.slice(3).join(' ')}`);
  assert.deepEqual(argv.sort(), ['a: 10.0.0.1/24 dev eth0', 'a: fd00::1/64 dev eth0 nodad', 'b: fd00::2/64 dev eth0'].sort());
});
