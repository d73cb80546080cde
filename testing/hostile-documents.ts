/**
 * Generated hostile topology files (issue 15): inputs that cost the old code
 * seconds or gigabytes. Shared by the tests and `bench/validate.ts`.
 */

const head = 'apiVersion: netns-studio/v1\nkind: Topology\n';

/** IPv4 address number i (0-based) inside 10.0.0.0/8, as text. */
const v4 = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/**
 * Two namespaces joined by one veth pair, each end carrying `perEnd` addresses
 * (the 326 KB file at 10 000): pairwise subnet checks cost perEnd² per namespace.
 */
export function manyAddressesDocument(perEnd: number): string {
  const ends = ['a', 'b'].map((ns, e) => {
    const addrs: string[] = [];
    for (let i = 0; i < perEnd; i++) addrs.push(`          - ${v4(e * perEnd + i + 1)}/32\n`);
    return `      - namespace: ${ns}\n        name: v${ns}\n        addresses:\n${addrs.join('')}`;
  });
  return `${head}namespaces:\n  - name: a\n  - name: b\nveths:\n  - ends:\n${ends.join('')}`;
}

/**
 * One namespace with `n` veth pairs to host, every end on its own interface and
 * subnet, plus `n` routes and `n` forwarders listening on those addresses: the
 * shapes where the old rules compared every interface, route and listener with
 * every other (pairs of interfaces, routes × addresses, listeners × listeners).
 */
export function manyInterfacesDocument(n: number): string {
  const veths: string[] = [];
  const routes: string[] = [];
  const forwarders: string[] = [];
  for (let i = 0; i < n; i++) {
    // 10.x.y.0/30 per pair: .1 in `a`, .2 in host
    const base = i * 4;
    veths.push(
      `  - ends:\n      - { namespace: a, name: a${i}, addresses: [${v4(base + 1)}/30] }\n      - { namespace: host, name: h${i}, addresses: [${v4(base + 2)}/30] }\n`,
    );
    routes.push(`      - { to: 172.${16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255}/32, via: ${v4(base + 2)} }\n`);
    forwarders.push(
      `  - { name: f${i}, protocol: tcp, listen: { namespace: a, address: ${v4(base + 1)}, port: 8000 }, target: { namespace: host, address: ${v4(base + 2)}, port: 80 } }\n`,
    );
  }
  return `${head}namespaces:\n  - name: a\n    routes:\n${routes.join('')}veths:\n${veths.join('')}forwarders:\n${forwarders.join('')}`;
}

/**
 * "Billion laughs" within yaml's own alias limit (one anchor may be aliased 100
 * times): one anchored list of `width` addresses, aliased on `copies` more veth
 * ends, so the parsed document holds (copies + 1) × width addresses.
 */
export function aliasBombDocument(width: number, copies: number): string {
  const addrs = Array.from({ length: width }, (_, i) => `${v4(i + 1)}/32`).join(', ');
  const veths = [`  - ends:\n      - { namespace: host, name: b0, addresses: &a [${addrs}] }\n      - { namespace: host, name: c0 }\n`];
  for (let c = 1; c <= copies; c++)
    veths.push(`  - ends:\n      - { namespace: host, name: b${c}, addresses: *a }\n      - { namespace: host, name: c${c} }\n`);
  return `${head}veths:\n${veths.join('')}`;
}
