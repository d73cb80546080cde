/**
 * fast-check generators of valid topology documents for the planner's property
 * tests. Two documents drawn from one "universe" of raw parts share much of it
 * (same names, same addresses, other attributes), so plans between them exercise
 * no-change, change, replace, add and delete paths alike.
 *
 * Valid means what the kernel would accept: names unique per namespace, masters
 * that exist in the same namespace, unique addresses, routes through links that
 * are up with a gateway on one of their subnets, unique route keys.
 */
import fc from 'fast-check';
import { SYSCTL_KEYS, Topology, type TopologyInput } from '../shared/model/schema';

const NS = ['a', 'b', 'ns-c'] as const;
const PLACES = ['host', ...NS] as const;
const IFNAMES = ['e0', 'e1', 'e2', 'e3', 'e4'] as const;
const MASTERS = ['br0', 'br1', 'vrf1', 'vrf2'] as const;

const place = fc.constantFrom(...PLACES);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** a part is present in document 1, 2, or both, with attributes that may differ between them */
const presence = fc.constantFrom('1', '2', '12', '12', '12');
const variants = <T>(a: fc.Arbitrary<T>) => fc.tuple(a, a, fc.boolean()).map(([x, y, same]) => [x, same ? x : y] as const);

const endArb = fc.record({
  ns: place,
  name: fc.constantFrom(...IFNAMES),
  up: variants(fc.boolean()),
  mtu: variants(maybe(fc.constantFrom(1400, 1500, 9000))),
  master: variants(maybe(fc.constantFrom(...MASTERS))),
});

export const universe = fc.record({
  namespaces: fc.array(fc.record({ name: fc.constantFrom(...NS), in: presence, loopback: variants(fc.boolean()) }), { maxLength: 4 }),
  vrfs: fc.array(
    fc.record({ ns: place, name: fc.constantFrom('vrf1', 'vrf2'), table: variants(fc.integer({ min: 1, max: 3 })), up: variants(fc.boolean()), in: presence }),
    { maxLength: 2 },
  ),
  bridges: fc.array(
    fc.record({
      ns: place,
      name: fc.constantFrom('br0', 'br1'),
      up: variants(fc.boolean()),
      master: variants(maybe(fc.constantFrom('vrf1', 'vrf2'))),
      accept: variants(fc.boolean()),
      in: presence,
    }),
    { maxLength: 2 },
  ),
  veths: fc.array(fc.record({ a: endArb, b: endArb, in: presence }), { maxLength: 4 }),
  addresses: fc.array(fc.record({ link: fc.nat(7), v6: fc.boolean(), in: presence }), { maxLength: 6 }),
  routes: fc.array(
    fc.record({
      ns: place,
      kind: fc.constantFrom('blackhole', 'unreachable', 'dev', 'via'),
      n: fc.nat(3),
      link: fc.nat(7),
      metric: variants(maybe(fc.constantFrom(5, 10))),
      table: maybe(fc.constantFrom(10, 20)),
      in: presence,
    }),
    { maxLength: 5 },
  ),
  sysctls: fc.array(fc.record({ ns: place, key: fc.constantFrom(...SYSCTL_KEYS), value: variants(fc.constantFrom('0', '1')), in: presence }), { maxLength: 3 }),
  nat: fc.array(fc.record({ ns: place, src: fc.nat(3), out: maybe(fc.constantFrom(...IFNAMES)), in: presence }), { maxLength: 3 }),
  dns: fc.array(fc.record({ ns: fc.constantFrom(...NS), servers: variants(fc.array(fc.nat(9), { minLength: 1, maxLength: 2 })), in: presence }), {
    maxLength: 2,
  }),
  forwarders: fc.array(fc.record({ name: fc.constantFrom('f1', 'f2'), port: variants(fc.integer({ min: 1000, max: 1003 })), in: presence }), { maxLength: 2 }),
});
export type Universe = typeof universe extends fc.Arbitrary<infer T> ? T : never;

/** Document 1 or 2 of a universe, made valid by dropping what would clash. */
export function documentOf(u: Universe, which: 0 | 1): Topology {
  const mark = which === 0 ? '1' : '2';
  const here = (x: { in: string }) => x.in.includes(mark);
  const v = <T>(pair: readonly [T, T]) => pair[which];
  const namespaces = new Map<string, { name: string; loopback: 'up' | 'down' }>();
  for (const n of u.namespaces.filter(here)) if (!namespaces.has(n.name)) namespaces.set(n.name, { name: n.name, loopback: v(n.loopback) ? 'up' : 'down' });
  const ns = (p: string) => (p === 'host' || namespaces.has(p) ? p : 'host');
  const names = new Map<string, Set<string>>();
  const take = (n: string, name: string) => {
    const s = names.get(n) ?? new Set<string>();
    names.set(n, s);
    if (s.has(name)) return false;
    s.add(name);
    return true;
  };
  const vrfs: { ns: string; name: string; table: number; up: boolean }[] = [];
  for (const x of u.vrfs.filter(here)) {
    const n = ns(x.ns);
    if (take(n, x.name)) vrfs.push({ ns: n, name: x.name, table: v(x.table), up: v(x.up) });
  }
  const isVrf = (n: string, m: string) => vrfs.some((x) => x.ns === n && x.name === m);
  const bridges: { namespace: string; name: string; up: boolean; master?: string; addresses: string[]; acceptForward?: boolean }[] = [];
  for (const x of u.bridges.filter(here)) {
    const n = ns(x.ns);
    const m = v(x.master);
    if (take(n, x.name))
      bridges.push({
        namespace: n,
        name: x.name,
        up: v(x.up),
        addresses: [],
        ...(m && isVrf(n, m) ? { master: m } : {}),
        ...(v(x.accept) ? { acceptForward: true } : {}),
      });
  }
  const isBridge = (n: string, m: string) => bridges.some((x) => x.namespace === n && x.name === m);
  type End = { namespace: string; name: string; up: boolean; mtu?: number; master?: string; addresses: string[] };
  const veths: { ends: [End, End] }[] = [];
  for (const x of u.veths.filter(here)) {
    const [na, nb] = [ns(x.a.ns), ns(x.b.ns)];
    if (na === nb && x.a.name === x.b.name) continue;
    if (names.get(na)?.has(x.a.name) || names.get(nb)?.has(x.b.name)) continue;
    take(na, x.a.name);
    take(nb, x.b.name);
    const end = (e: typeof x.a, n: string): End => {
      const m = v(e.master);
      const mtu = v(e.mtu);
      return {
        namespace: n,
        name: e.name,
        up: v(e.up),
        addresses: [],
        ...(mtu ? { mtu } : {}),
        ...(m && (isBridge(n, m) || isVrf(n, m)) ? { master: m } : {}),
      };
    };
    veths.push({ ends: [end(x.a, na), end(x.b, nb)] });
  }
  // every link that can hold addresses, in a fixed order
  const holders: { ns: string; name: string; up: boolean; addresses: string[] }[] = [
    ...bridges.map((b) => ({
      ns: b.namespace,
      name: b.name,
      get up() {
        return b.up;
      },
      addresses: b.addresses,
    })),
    ...veths.flatMap((p) =>
      p.ends.map((e) => ({
        ns: e.namespace,
        name: e.name,
        get up() {
          return e.up;
        },
        addresses: e.addresses,
      })),
    ),
  ];
  const gateways: { ns: string; dev: string; via: string; up: boolean }[] = [];
  u.addresses.forEach((x, i) => {
    if (!here(x) || !holders.length) return;
    const h = holders[x.link % holders.length];
    h.addresses.push(x.v6 ? `fd00:${i}::1/64` : `10.${i}.0.1/24`);
    if (!x.v6) gateways.push({ ns: h.ns, dev: h.name, via: `10.${i}.0.254`, up: h.up });
  });
  const routes = new Map<string, Map<string, Record<string, unknown>>>();
  for (const x of u.routes.filter(here)) {
    const n = ns(x.ns);
    const metric = v(x.metric);
    const base = { to: `172.16.${x.n}.0/24`, ...(metric !== undefined ? { metric } : {}), ...(x.table ? { table: x.table } : {}) };
    let r: Record<string, unknown> | undefined;
    if (x.kind === 'blackhole' || x.kind === 'unreachable') r = { ...base, type: x.kind };
    else if (x.kind === 'dev') {
      const up = holders.filter((h) => h.ns === n && h.up && h.addresses.some((a) => !a.includes(':')));
      if (up.length) r = { ...base, dev: up[x.link % up.length].name };
    } else {
      const gw = gateways.filter((g) => g.ns === n && g.up);
      if (gw.length) r = { ...base, via: gw[x.link % gw.length].via };
    }
    if (!r) continue;
    const key = `${r.table ?? 254}/${r.to}/${r.metric ?? ''}`;
    const m = routes.get(n) ?? new Map();
    routes.set(n, m);
    if (!m.has(key)) m.set(key, r);
  }
  const sysctls = new Map<string, Record<string, string>>();
  for (const x of u.sysctls.filter(here)) {
    const n = ns(x.ns);
    const s = sysctls.get(n) ?? {};
    sysctls.set(n, s);
    s[x.key] ??= v(x.value);
  }
  const nat = new Map<string, Map<string, Record<string, unknown>>>();
  for (const x of u.nat.filter(here)) {
    const n = ns(x.ns);
    const r = { action: 'masquerade', source: `192.168.${x.src}.0/24`, ...(x.out ? { outInterface: x.out } : {}) };
    const m = nat.get(n) ?? new Map();
    nat.set(n, m);
    m.set(JSON.stringify(r), r);
  }
  const dns = new Map<string, { nameservers: string[] }>();
  for (const x of u.dns.filter(here)) if (namespaces.has(x.ns) && !dns.has(x.ns)) dns.set(x.ns, { nameservers: v(x.servers).map((s) => `10.53.0.${s}`) });
  const forwarders = new Map<string, unknown>();
  for (const x of u.forwarders.filter(here)) {
    if (!forwarders.has(x.name))
      forwarders.set(x.name, {
        name: x.name,
        protocol: 'tcp',
        listen: { namespace: 'host', address: '127.0.0.1', port: v(x.port) },
        target: { namespace: 'host', address: '127.0.0.1', port: 9000 },
      });
  }
  const all = ['host', ...namespaces.keys()];
  const doc: TopologyInput = {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    namespaces: all.map((n) => ({
      name: n,
      loopback: n === 'host' ? 'up' : namespaces.get(n)!.loopback,
      routes: [...(routes.get(n)?.values() ?? [])],
      sysctls: sysctls.get(n) ?? {},
      nat: [...(nat.get(n)?.values() ?? [])],
      vrfs: vrfs.filter((x) => x.ns === n).map(({ name, table, up }) => ({ name, table, up })),
      ...(dns.has(n) ? { dns: dns.get(n) } : {}),
    })) as TopologyInput['namespaces'],
    bridges,
    veths,
    forwarders: [...forwarders.values()] as TopologyInput['forwarders'],
  };
  return Topology.parse(doc);
}

/** A pair of related valid documents. */
export const documentPair = universe.map((u) => [documentOf(u, 0), documentOf(u, 1)] as const);
export const document = universe.map((u) => documentOf(u, 0));
