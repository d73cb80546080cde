/**
 * The planner's kernel model (shared/plan/simulate.ts) against the kernel, for
 * multipath routes whose links go down or away: IPv4 and IPv6 alike keep a route
 * while one of its nexthops lives when a link goes down; a deleted link takes a
 * whole IPv4 multipath route with it, but only its own nexthops of an IPv6 one
 * (sibling routes), a last one left being a plain route. The same commands run on
 * both; after each, the routes the simulation holds are the routes discover reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type Route } from '../../shared/model/schema';
import type { Command } from '../../shared/model/step';
import { linkDel, linkSetUp } from '../../shared/plan/commands';
import { opArgv } from '../../shared/plan/render';
import { applyCommand } from '../../shared/plan/simulate';
import { canonicalRoute, fromTopology } from '../../shared/plan/state';
import { toTopology } from '../../shared/plan/to-topology';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { waitSettled } from '../../testing/settle';
import { waitUntilAsync } from '../../testing/until';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the multipath simulation-vs-kernel test: ${skip}`);

const routes: Route[] = [
  {
    to: '10.74.9.0/24',
    nexthops: [
      { via: '10.74.1.2', dev: 'a0' },
      { via: '10.74.2.2', dev: 'b0' },
    ],
  },
  {
    to: '10.74.8.0/24',
    nexthops: [
      { via: '10.74.1.2', dev: 'a0' },
      { via: '10.74.2.2', dev: 'b0' },
      { via: '10.74.3.2', dev: 'c0' },
    ],
  },
  {
    to: '2001:db8:74:9::/64',
    nexthops: [
      { via: '2001:db8:74:1::2', dev: 'a0' },
      { via: '2001:db8:74:2::2', dev: 'b0', weight: 2 },
    ],
  },
  {
    to: '2001:db8:74:8::/64',
    nexthops: [
      { via: '2001:db8:74:1::2', dev: 'a0' },
      { via: '2001:db8:74:2::2', dev: 'b0' },
      { via: '2001:db8:74:3::2', dev: 'c0' },
    ],
  },
];
const end = (ns: string, name: string, i: number, me: number) => ({ namespace: ns, name, addresses: [`10.74.${i}.${me}/24`, `2001:db8:74:${i}::${me}/64`] });
const doc = Topology.parse({
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [
    { name: 'm', nodad: true, routes },
    { name: 'p', nodad: true },
  ],
  veths: ['a', 'b', 'c'].map((x, i) => ({ ends: [end('m', `${x}0`, i + 1, 1), end('p', `${x}1`, i + 1, 2)] })),
});
const build = `set -e
ip netns add \${P}m; ip netns add \${P}p
for x in a b c; do ip -n \${P}m link add name \${x}0 type veth peer name \${x}1 netns \${P}p; done
i=1; for x in a b c; do
  ip -n \${P}m addr add 10.74.$i.1/24 dev \${x}0; ip -n \${P}m addr add 2001:db8:74:$i::1/64 dev \${x}0 nodad
  ip -n \${P}p addr add 10.74.$i.2/24 dev \${x}1; ip -n \${P}p addr add 2001:db8:74:$i::2/64 dev \${x}1 nodad
  ip -n \${P}m link set \${x}0 up; ip -n \${P}p link set \${x}1 up; i=$((i+1))
done
ip -n \${P}m route add 10.74.9.0/24 nexthop via 10.74.1.2 dev a0 nexthop via 10.74.2.2 dev b0
ip -n \${P}m route add 10.74.8.0/24 nexthop via 10.74.1.2 dev a0 nexthop via 10.74.2.2 dev b0 nexthop via 10.74.3.2 dev c0
ip -n \${P}m -6 route add 2001:db8:74:9::/64 nexthop via 2001:db8:74:1::2 dev a0 nexthop via 2001:db8:74:2::2 dev b0 weight 2
ip -n \${P}m -6 route add 2001:db8:74:8::/64 nexthop via 2001:db8:74:1::2 dev a0 nexthop via 2001:db8:74:2::2 dev b0 nexthop via 2001:db8:74:3::2 dev c0`;

/** Nexthops the kernel still holds dead although their link is up (empty once it caught up). */
async function deadOnUpLinks(sb: Sandbox): Promise<boolean> {
  const up = new Set((JSON.parse((await sb.inNs('m', ['ip', '-j', 'link', 'show', 'up'])).stdout || '[]') as { ifname: string }[]).map((l) => l.ifname));
  for (const fam of ['-4', '-6']) {
    const rs = JSON.parse((await sb.inNs('m', ['ip', '-j', fam, 'route', 'show'])).stdout || '[]') as { nexthops?: { dev?: string; flags?: string[] }[] }[];
    if (rs.some((r) => r.nexthops?.some((h) => h.flags?.includes('dead') && h.dev !== undefined && up.has(h.dev)))) return false;
  }
  return true;
}

const shape = (rs: Route[]) => rs.map((r) => JSON.stringify(canonicalRoute(r))).sort();

test('multipath routes when a link goes down, comes back, and is deleted: simulation == kernel, IPv4 and IPv6', { skip, timeout: 60_000 }, async () => {
  await withSandbox('mpath', async (sb) => {
    const r = await sb.bash(build);
    assert.equal(r.code, 0, r.stderr);
    const sim = fromTopology(doc);
    const h = await startSandboxHelper(sb);
    try {
      const kernelRoutes = async () => (await discoverSandbox(h, sb)).document.namespaces.find((n) => n.name === 'm')!.routes;
      const simRoutes = () => toTopology(sim).namespaces.find((n) => n.name === 'm')!.routes;
      assert.deepEqual(shape(await kernelRoutes()), shape(simRoutes()), 'the same start');
      const step = async (what: string, cmd: Command, expect: (rs: Route[]) => void) => {
        const k = await sb.inNs('m', opArgv(cmd.op));
        assert.equal(k.code, 0, `${what}: ${k.stderr}`);
        applyCommand(sim, cmd);
        // a link set up has carrier a moment later (linkwatch); until then its nexthops are still dead,
        // and deleting another link would take an IPv6 multipath route whole. The model knows settled links.
        await waitSettled(sb);
        await waitUntilAsync(`${what}: no dead nexthop on a link that is up`, () => deadOnUpLinks(sb));
        const kernel = await kernelRoutes();
        assert.deepEqual(shape(simRoutes()), shape(kernel), `${what}: the simulation holds what the kernel has`);
        expect(kernel);
      };
      const find = (rs: Route[], to: string) => rs.find((x) => x.to === to);

      await step('a0 down', linkSetUp('m', 'a0', false), (rs) => assert.equal(rs.length, 4, 'every route lives on through b0'));
      await step('a0 up', linkSetUp('m', 'a0', true), (rs) => assert.equal(find(rs, '10.74.8.0/24')?.nexthops?.length, 3));
      await step('b0 deleted', linkDel('m', 'b0'), (rs) => {
        assert.equal(find(rs, '10.74.9.0/24'), undefined, 'IPv4 drops the whole multipath route');
        assert.equal(find(rs, '10.74.8.0/24'), undefined);
        assert.deepEqual(
          find(rs, '2001:db8:74:9::/64'),
          { to: '2001:db8:74:9::/64', via: '2001:db8:74:1::2', dev: 'a0' },
          'IPv6 keeps the rest: one nexthop left is a plain route',
        );
        assert.deepEqual(
          find(rs, '2001:db8:74:8::/64')?.nexthops?.map((x) => x.dev),
          ['a0', 'c0'],
        );
      });
      await step('c0 down', linkSetUp('m', 'c0', false), (rs) => assert.equal(find(rs, '2001:db8:74:8::/64')?.nexthops?.length, 2));
      await step('a0 down too', linkSetUp('m', 'a0', false), (rs) => assert.deepEqual(rs, [], 'with every nexthop dead the routes go'));
    } finally {
      await h.close();
    }
  });
});
