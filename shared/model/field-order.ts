/**
 * The topology schema's key order and defaults (./schema.ts), without zod: what
 * `Topology.parse` does to a schema-valid value (keys in schema order, defaults
 * filled), for the code paths that must not load zod (discover's YAML output,
 * ../export/yaml.ts). ./field-order.test.ts checks every table against the schema.
 *
 * Pure: no node:* imports, no zod.
 */
import type { Topology } from './schema';

export type ShapeKind =
  | 'topology'
  | 'metadata'
  | 'namespace'
  | 'route'
  | 'nexthop'
  | 'rule'
  | 'nat'
  | 'dns'
  | 'vrf'
  | 'bridge'
  | 'veth'
  | 'vethEnd'
  | 'forwarder'
  | 'forwarderEnd'
  | 'layout'
  | 'position';
type Kind = ShapeKind | 'dataRecord' | 'positions';

/** An object kind of the schema: its keys in schema order, its defaults, and the kinds of its fields. */
interface Shape {
  keys: readonly string[];
  defaults?: Readonly<Record<string, unknown>>;
  /** field → the kind of its value, or of each item of its list ('dataRecord': keys kept, values cloned) */
  fields?: Readonly<Record<string, Kind>>;
}

export const SHAPES = {
  topology: {
    keys: ['apiVersion', 'kind', 'name', 'metadata', 'namespaces', 'bridges', 'veths', 'forwarders', 'layout'],
    defaults: { metadata: {}, namespaces: [], bridges: [], veths: [], forwarders: [] },
    fields: { metadata: 'metadata', namespaces: 'namespace', bridges: 'bridge', veths: 'veth', forwarders: 'forwarder', layout: 'layout' },
  },
  metadata: { keys: ['name', 'description'] },
  namespace: {
    keys: ['name', 'loopback', 'sysctls', 'routes', 'nat', 'dns', 'vrfs', 'tables', 'rules', 'external', 'nodad'],
    defaults: { loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] },
    fields: { sysctls: 'dataRecord', routes: 'route', nat: 'nat', dns: 'dns', vrfs: 'vrf', tables: 'dataRecord', rules: 'rule', external: 'dataRecord' },
  },
  route: {
    keys: ['to', 'via', 'dev', 'metric', 'table', 'src', 'type', 'onlink', 'nexthops'],
    fields: { nexthops: 'nexthop' },
  },
  nexthop: { keys: ['via', 'dev', 'weight', 'onlink'] },
  rule: { keys: ['priority', 'family', 'from', 'to', 'iif', 'oif', 'fwmark', 'fwmask', 'table', 'action'] },
  nat: { keys: ['action', 'source', 'destination', 'inInterface', 'outInterface', 'protocol', 'port', 'toAddress'] },
  dns: { keys: ['nameservers', 'search'] },
  vrf: { keys: ['name', 'table', 'up'], defaults: { up: true } },
  bridge: {
    keys: ['name', 'namespace', 'addresses', 'mtu', 'up', 'master', 'acceptForward'],
    defaults: { addresses: [], up: true },
  },
  veth: { keys: ['ends'], fields: { ends: 'vethEnd' } },
  vethEnd: { keys: ['namespace', 'name', 'addresses', 'mtu', 'up', 'master'], defaults: { addresses: [], up: true } },
  forwarder: { keys: ['name', 'protocol', 'listen', 'target'], fields: { listen: 'forwarderEnd', target: 'forwarderEnd' } },
  forwarderEnd: { keys: ['namespace', 'address', 'port'] },
  layout: { keys: ['positions'], defaults: { positions: {} }, fields: { positions: 'positions' } },
  position: { keys: ['x', 'y'] },
} as const satisfies Record<ShapeKind, Shape>;

function ordered(kind: Kind, v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => ordered(kind, x));
  if (typeof v !== 'object' || v === null) return v;
  if (kind === 'dataRecord') return structuredClone(v);
  const src = v as Record<string, unknown>;
  if (kind === 'positions') return Object.fromEntries(Object.entries(src).map(([id, p]) => [id, ordered('position', p)]));
  const shape: Shape = SHAPES[kind];
  const out: Record<string, unknown> = {};
  for (const k of shape.keys) {
    const value = src[k] === undefined ? shape.defaults?.[k] : src[k];
    if (value === undefined) continue;
    const sub = shape.fields?.[k];
    out[k] = sub ? ordered(sub, value) : typeof value === 'object' && value !== null ? structuredClone(value) : value;
  }
  return out;
}

/**
 * A copy of a schema-valid topology with every object's keys in schema order and
 * the defaults filled: what `Topology.parse(t)` returns, without zod (no checks:
 * give it a Topology).
 */
export function inSchemaOrder(t: Topology): Topology {
  return ordered('topology', t) as Topology;
}
