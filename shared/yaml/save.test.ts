import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from './load';
import { saveTopology } from './save';
import { FIELD_DEFAULTS, isDefault, stripDefaults } from './defaults';
import fc from 'fast-check';
import { Topology, type TopologyInput } from '../model/schema';
import { arbTopology } from '../../testing/arbitrary-yaml';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'valid', name), 'utf8');

function load(text: string) {
  const r = loadTopology(text, 't.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors));
  return r;
}

test('saving an unchanged document keeps every comment and means the same', () => {
  for (const name of ['gost-forwarders.yaml', 'router-nat-vrf.yaml']) {
    const text = fixture(name);
    const r = load(text);
    const out = saveTopology(r.yamlDoc, r.doc);
    const comments = (s: string) =>
      s
        .split('\n')
        .filter((l) => l.includes('#'))
        .map((l) => l.slice(l.indexOf('#')));
    assert.deepEqual(comments(out), comments(text), name);
    assert.deepEqual(load(out).doc, r.doc, name);
    // No defaults were written in: the file did not spell them, so neither does the save.
    assert.doesNotMatch(out, /up: true|loopback: up|routes: \[\]/, name);
  }
});

test('load → edit → save changes only what changed and keeps comments where they belong', () => {
  const text = [
    '# top comment',
    'apiVersion: netns-studio/v1',
    'kind: Topology',
    'namespaces:',
    '  # the first one',
    '  - name: ns1',
    '  # the second one, which stays',
    '  - name: ns2 # trailing',
    '    routes:',
    '      - to: default # the way out',
    '        via: 10.0.0.1',
    'veths:',
    '  - ends:',
    '      - namespace: ns2',
    '        name: veth0',
    '        addresses: [10.0.0.2/24] # primary',
    '        up: true # said explicitly',
    '      - namespace: host',
    '        name: veth1',
    '        addresses: [10.0.0.1/24]',
    '',
  ].join('\n');
  const r = load(text);
  const t = structuredClone(r.doc);
  t.namespaces.shift(); // delete ns1
  t.namespaces.push(Topology.shape.namespaces.unwrap().element.parse({ name: 'ns3' })); // add with defaults filled
  t.namespaces[0].routes[0].via = '10.0.0.254';
  t.veths[0].ends[0].addresses = ['10.0.0.2/24', '10.0.0.3/24'];
  t.veths[0].ends[1].mtu = 9000;
  const out = saveTopology(r.yamlDoc, t);
  assert.equal(
    out,
    [
      '# top comment',
      'apiVersion: netns-studio/v1',
      'kind: Topology',
      'namespaces:',
      '  # the second one, which stays',
      '  - name: ns2 # trailing',
      '    routes:',
      '      - to: default # the way out',
      '        via: 10.0.0.254',
      '  - name: ns3',
      'veths:',
      '  - ends:',
      '      - namespace: ns2',
      '        name: veth0',
      '        addresses: [ 10.0.0.2/24, 10.0.0.3/24 ] # primary',
      '        up: true # said explicitly',
      '      - namespace: host',
      '        name: veth1',
      '        addresses: [ 10.0.0.1/24 ]',
      '        mtu: 9000',
      '',
    ].join('\n'),
  );
  assert.deepEqual(load(out).doc, t);
});

test('reordering list items carries their comments along', () => {
  const text = 'apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: a # about a\n  - name: b # about b\n';
  const r = load(text);
  const t = structuredClone(r.doc);
  t.namespaces.reverse();
  const out = saveTopology(r.yamlDoc, t);
  assert.match(out, /- name: b # about b\n {2}- name: a # about a\n/);
});

test('the defaults table matches the schema exactly', () => {
  // Every optional-with-default field of the schema, left out: zod fills them in.
  const input: TopologyInput = {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    namespaces: [{ name: 'n', vrfs: [{ name: 'v', table: 10 }] }],
    bridges: [{ name: 'b', namespace: 'n' }],
    veths: [
      {
        ends: [
          { namespace: 'n', name: 'x' },
          { namespace: 'host', name: 'y' },
        ],
      },
    ],
    layout: {},
  };
  const out = Topology.parse(input);
  const filled = new Set<string>();
  const walk = (inp: unknown, o: unknown) => {
    if (Array.isArray(o)) return o.forEach((v, i) => walk((inp as unknown[])[i], v));
    if (typeof o !== 'object' || o === null) return;
    for (const [k, v] of Object.entries(o)) {
      const iv = (inp as Record<string, unknown>)[k];
      if (iv === undefined) {
        filled.add(k);
        assert.ok(isDefault(k, v), `schema default of ${k} is ${JSON.stringify(v)}, table says ${JSON.stringify(FIELD_DEFAULTS[k])}`);
      } else walk(iv, v);
    }
  };
  walk(input, out);
  walk(
    { apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'n' }] },
    Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'n' }] }),
  );
  walk({ apiVersion: 'netns-studio/v1', kind: 'Topology' }, Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology' }));
  assert.deepEqual([...filled].sort(), Object.keys(FIELD_DEFAULTS).sort());
  assert.deepEqual(stripDefaults(out), { ...input, layout: {} });
});

test('property: whatever the edit, load → save(new) → load gives exactly the new document, and comments survive', () => {
  const text = fixture('router-nat-vrf.yaml');
  fc.assert(
    fc.property(arbTopology, arbTopology, (a, b) => {
      const r = load(text);
      const mid = load(saveTopology(r.yamlDoc, a));
      assert.deepEqual(mid.doc, a);
      const out = saveTopology(mid.yamlDoc, b);
      assert.deepEqual(load(out).doc, b);
      // the file's header comment belongs to the document, not to any field
      assert.match(out, /^# A router namespace that forwards/);
    }),
    { numRuns: 200 },
  );
});

test('a layout key named like an Object.prototype member is removed like any other (found by the property test, seed 191312597)', () => {
  const base = { apiVersion: 'netns-studio/v1', kind: 'Topology' } as const;
  const withKey = Topology.parse({ ...base, layout: { positions: { toString: { x: 0, y: 0 } } } });
  const without = Topology.parse({ ...base, layout: { positions: {} } });
  const r = load(saveTopology(load('apiVersion: netns-studio/v1\nkind: Topology\n').yamlDoc, withKey));
  assert.deepEqual(r.doc, withKey);
  assert.deepEqual(load(saveTopology(r.yamlDoc, without)).doc, without);
});
