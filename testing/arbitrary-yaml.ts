/**
 * Test helper: random schema-valid topology documents (not necessarily
 * semantically valid), with strings YAML likes to reinterpret, for property tests
 * of load/save/export. Imported by tests only.
 */
import fc from 'fast-check';
import { Topology } from '../shared/model/schema';

const tricky = fc.constantFrom(
  'ns1',
  'host',
  'yes',
  'no',
  'null',
  '~',
  '1',
  '0x1F',
  '1e3',
  'on',
  '-a',
  'a: b',
  '#x',
  "it's",
  '"q"',
  '',
  ' lead',
  'ü',
  '2001:db8::1',
  '*ref',
  '&a',
  '!tag',
  '[x]',
  '{y}',
  '@',
  '`',
  'a\nb',
);
export const arbName = fc.oneof(tricky, fc.string({ maxLength: 12 }));
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const end = fc.record({
  namespace: arbName,
  name: arbName,
  addresses: fc.array(arbName, { maxLength: 2 }),
  up: fc.boolean(),
  mtu: opt(fc.integer({ min: 68, max: 65535 })),
  master: opt(arbName),
});
const fwEnd = fc.record({ namespace: arbName, address: arbName, port: fc.integer({ min: 1, max: 65535 }) });

export const arbTopology: fc.Arbitrary<Topology> = fc
  .record({
    metadata: fc.record({ name: opt(arbName), description: opt(fc.string()) }),
    namespaces: fc.array(
      fc.record({
        name: arbName,
        loopback: fc.constantFrom('up' as const, 'down' as const),
        sysctls: fc.record({ 'net.ipv4.ip_forward': fc.constantFrom('0', '1') }, { requiredKeys: [] }),
        routes: fc.array(
          fc.record({ to: arbName, via: opt(arbName), dev: opt(arbName), metric: opt(fc.nat()), table: opt(fc.integer({ min: 1, max: 1000 })) }),
          { maxLength: 2 },
        ),
        nat: fc.array(
          fc.record({ action: fc.constantFrom('masquerade' as const, 'snat' as const, 'dnat' as const), source: opt(arbName), outInterface: opt(arbName) }),
          { maxLength: 2 },
        ),
        dns: opt(fc.record({ nameservers: fc.array(arbName, { minLength: 1, maxLength: 2 }) })),
        vrfs: fc.array(fc.record({ name: arbName, table: fc.integer({ min: 1, max: 5000 }), up: fc.boolean() }), { maxLength: 2 }),
      }),
      { maxLength: 3 },
    ),
    bridges: fc.array(fc.record({ name: arbName, namespace: arbName, addresses: fc.array(arbName, { maxLength: 2 }), up: fc.boolean() }), { maxLength: 2 }),
    veths: fc.array(fc.record({ ends: fc.tuple(end, end) }), { maxLength: 3 }),
    forwarders: fc.array(fc.record({ name: arbName, protocol: fc.constantFrom('tcp' as const, 'udp' as const), listen: fwEnd, target: fwEnd }), {
      maxLength: 2,
    }),
    layout: opt(fc.record({ positions: fc.dictionary(arbName, fc.record({ x: fc.integer(), y: fc.integer() }), { maxKeys: 3 }) })),
  })
  // through JSON: drops undefined keys the way a file would never have them
  .map((parts) => Topology.parse(JSON.parse(JSON.stringify({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...parts }))));
