import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { z } from 'zod';
import { Bridge, Dns, Forwarder, ForwarderEnd, Layout, Metadata, Namespace, NatRule, Nexthop, PolicyRule, Route, Topology, Veth, VethEnd, Vrf } from './schema';
import { inSchemaOrder, SHAPES, type ShapeKind } from './field-order';
import { stripDefaults } from '../yaml/defaults';
import { arbTopology } from '../../testing/arbitrary-yaml';

type AnyObject = z.ZodObject<z.ZodRawShape>;
const SCHEMAS: Record<Exclude<ShapeKind, 'position'>, AnyObject> = {
  topology: Topology,
  metadata: Metadata,
  namespace: Namespace,
  route: Route,
  nexthop: Nexthop,
  rule: PolicyRule,
  nat: NatRule,
  dns: Dns,
  vrf: Vrf,
  bridge: Bridge,
  veth: Veth,
  vethEnd: VethEnd,
  forwarder: Forwarder,
  forwarderEnd: ForwarderEnd,
  layout: Layout,
};

test('each shape lists its schema object keys in schema order, with the schema defaults', () => {
  for (const [kind, schema] of Object.entries(SCHEMAS)) {
    const shape = SHAPES[kind as ShapeKind] as { keys: readonly string[]; defaults?: Record<string, unknown> };
    assert.deepEqual(shape.keys, Object.keys(schema.shape), kind);
    const defaults: Record<string, unknown> = {};
    for (const [k, field] of Object.entries(schema.shape)) {
      const def = (field as unknown as { _zod: { def: { type: string; defaultValue?: unknown } } })._zod.def;
      if (def.type === 'default') defaults[k] = def.defaultValue;
    }
    assert.deepEqual(shape.defaults ?? {}, defaults, `${kind} defaults`);
  }
  const position = Layout.shape.positions.unwrap().valueType as unknown as AnyObject;
  assert.deepEqual(SHAPES.position.keys, Object.keys(position.shape));
});

test('property: inSchemaOrder gives what Topology.parse gives, keys in the same order', () => {
  fc.assert(
    fc.property(arbTopology, (t) => {
      // a valid value with its keys shuffled and its defaults left out, as a caller may hold one
      const input = JSON.parse(
        JSON.stringify(t, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)),
      );
      for (const v of [input, stripDefaults(input)]) assert.equal(JSON.stringify(inSchemaOrder(v)), JSON.stringify(Topology.parse(v)));
    }),
    { numRuns: 300 },
  );
});

test('inSchemaOrder fills the defaults a value leaves out', () => {
  const t = inSchemaOrder({
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    namespaces: [{ name: 'a' }],
    veths: [
      {
        ends: [
          { namespace: 'a', name: 'x' },
          { namespace: 'host', name: 'y' },
        ],
      },
    ],
  } as never);
  assert.deepEqual(t, Topology.parse(t));
});
