import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { canonicalTopology, exportYaml } from './yaml';
import { loadTopology } from '../yaml/load';
import { Topology, type TopologyInput } from '../model/schema';
import { arbTopology } from '../../testing/arbitrary-yaml';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'valid', name), 'utf8');
function load(text: string): Topology {
  const r = loadTopology(text, 't.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors));
  return r.doc;
}

test('canonical YAML: schema key order, sorted lists, defaults left out', () => {
  const t = Topology.parse({
    kind: 'Topology',
    apiVersion: 'netns-studio/v1',
    forwarders: [],
    namespaces: [
      {
        name: 'b',
        routes: [
          { via: '10.0.0.1', to: 'default' },
          { to: '10.1.0.0/16', dev: 'x' },
        ],
        sysctls: { 'net.ipv6.conf.all.forwarding': '1', 'net.ipv4.ip_forward': '1' },
      },
      { name: 'a' },
      { name: 'host' },
    ],
    veths: [
      {
        ends: [
          { name: 'y', namespace: 'b', addresses: ['10.0.0.2/24', '10.0.0.9/24'] },
          { namespace: 'a', name: 'z', up: false },
        ],
      },
    ],
  } satisfies TopologyInput);
  assert.equal(
    exportYaml(t),
    [
      'apiVersion: netns-studio/v1',
      'kind: Topology',
      'namespaces:',
      '  - name: host',
      '  - name: a',
      '  - name: b',
      '    sysctls:',
      '      net.ipv4.ip_forward: "1"',
      '      net.ipv6.conf.all.forwarding: "1"',
      '    routes:',
      '      - to: default',
      '        via: 10.0.0.1',
      '      - to: 10.1.0.0/16',
      '        dev: x',
      'veths:',
      '  - ends:',
      '      - namespace: b',
      '        name: y',
      '        addresses: [10.0.0.2/24, 10.0.0.9/24]',
      '      - namespace: a',
      '        name: z',
      '        up: false',
      '',
    ].join('\n'),
  );
});

test('export → load gives the canonical topology back, for the fixtures', () => {
  for (const name of ['gost-forwarders.yaml', 'router-nat-vrf.yaml', 'v0alpha1-legacy.yaml']) {
    const t = load(fixture(name));
    const text = exportYaml(t);
    assert.deepEqual(load(text), canonicalTopology(t), name);
    assert.equal(exportYaml(load(text)), text, `${name}: export is a fixed point`);
  }
});

test('order that means nothing does not change the export; order that matters does', () => {
  const t = load(fixture('router-nat-vrf.yaml'));
  const shuffled = structuredClone(t);
  shuffled.namespaces.reverse();
  shuffled.veths.reverse();
  shuffled.forwarders.reverse();
  assert.equal(exportYaml(shuffled), exportYaml(t));
  const natSwapped = structuredClone(t);
  natSwapped.namespaces.find((n) => n.name === 'ns-router')!.nat.reverse();
  assert.notEqual(exportYaml(natSwapped), exportYaml(t));
});

test('property: any schema-valid document survives export → load unchanged (modulo canonical order)', () => {
  fc.assert(
    fc.property(arbTopology, (t) => {
      const text = exportYaml(t);
      assert.deepEqual(load(text), canonicalTopology(t));
    }),
    { numRuns: 300 },
  );
});
