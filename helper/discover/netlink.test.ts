/**
 * The two readers agree: the one-process netlink reader (./netlink.ts + nl-dump.pl)
 * and the `ip -j -batch` reader (./read.ts) observe the same namespaces, links,
 * peers, addresses, routes (every table, both families), rules, sysctls and NAT,
 * on a sandbox holding a bit of everything this kernel can make.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { ObservedNamespace } from '../../shared/model/observed';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { readTargets } from './index';
import { perlAvailable, readNetlink } from './netlink';
import { namedTarget } from './targets';
import { hostDump } from '../../testing/host-dump';
import { waitUntil, waitUntilAsync } from '../../testing/until';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';

const skip = kernelSkipReason() ?? (perlAvailable() ? undefined : 'perl is not installed: discover uses the ip reader only');
if (skip) console.log(`# skipping netlink reader tests: ${skip}`);

/**
 * IPv6 in namespace `ns` has settled: every link that is up with carrier has its
 * link-local address, and no address is still tentative (DAD). Until then the
 * kernel adds local-table and fe80::/64 routes between two reads, and the readers
 * would disagree about a moment, not about the host.
 */
function ipv6Settled(ns: string): boolean {
  const r = spawnSync('ip', ['-n', ns, '-j', '-6', 'addr', 'show'], { encoding: 'utf8' });
  if (r.status !== 0) return false;
  const links = JSON.parse(r.stdout || '[]') as { flags?: string[]; addr_info?: { local?: string; tentative?: boolean }[] }[];
  return links.every((l) => {
    const addrs = l.addr_info ?? [];
    if (addrs.some((a) => a.tentative)) return false;
    const carrier = l.flags?.includes('UP') && l.flags.includes('LOWER_UP') && !l.flags.includes('LOOPBACK');
    return !carrier || addrs.some((a) => a.local?.startsWith('fe80:'));
  });
}

const withoutCounters = (nss: ObservedNamespace[]) => nss.map((n) => ({ ...n, links: n.links.map(({ stats: _s, ...l }) => l) }));

test('netlink reader == ip reader on links, veth peers, addresses, routes, rules, sysctls and NAT', { skip }, async () => {
  await withSandbox('nlread', async (sb) => {
    const r = await sb.bash(`
      ip netns add \${P}a; ip netns add \${P}b; ip netns add \${P}c
      ip link add name br0 type bridge; ip link set dev br0 up; ip addr add 10.70.0.1/24 dev br0
      ip link add name h-a type veth peer name a0 netns \${P}a; ip link set dev h-a master br0 up
      ip -n \${P}a link set dev lo up; ip -n \${P}a link set dev a0 up mtu 1400
      ip -n \${P}a addr add 10.70.0.2/24 dev a0; ip -n \${P}a addr add 2001:db8:70::2/64 dev a0 nodad
      ip -n \${P}a addr add 10.70.9.9/32 dev lo
      ip -n \${P}a route add default via 10.70.0.1 dev a0 metric 50
      ip -n \${P}a route add 10.80.0.0/16 via 10.70.0.1 table 100
      ip -n \${P}a route add blackhole 10.90.0.0/16
      ip -n \${P}a -6 route add 2001:db8:99::/48 via 2001:db8:70::1 dev a0
      ip -n \${P}a rule add from 10.70.0.0/24 lookup 100 priority 100
      ip -n \${P}a rule add not to 10.1.0.0/16 fwmark 0x5 lookup main priority 101
      ip -n \${P}a -6 rule add from 2001:db8:70::/64 lookup 100 priority 100
      ip -n \${P}a -6 rule add from all iif a0 lookup 200 priority 102
      ip -n \${P}a -6 rule add to 2001:db8:66::/48 prohibit priority 103
      ip -n \${P}a rule add fwmark 0x10/0xff lookup 101 priority 104
      ip -n \${P}a addr add 10.70.0.4/24 dev a0
      ip -n \${P}a route add default table 101 nexthop via 10.70.0.1 dev a0 weight 2 nexthop via 10.70.0.3 dev a0
      ip -n \${P}a route add 10.81.0.0/16 via 10.99.0.1 dev a0 onlink table 100
      ip -n \${P}a -6 route add 2001:db8:98::/48 table 100 nexthop via 2001:db8:70::1 dev a0 nexthop via 2001:db8:70::3 dev a0 weight 3
      ip -n \${P}a link add name a1 type veth peer name a2
      ip -n \${P}a link set dev a1 alias "a side"
      ip link add name ab-a index 61 netns \${P}a type veth peer name ab-b index 61 netns \${P}b
      ip -n \${P}b tuntap add dev tap0 mode tap
      ip -n \${P}b link add name vx0 type vxlan id 42 dstport 4789 local 10.70.0.3
      ip netns exec \${P}b sysctl -qw net.ipv4.ip_forward=1
      ip netns exec \${P}b sysctl -qw net.ipv6.conf.all.forwarding=1
      ip netns exec \${P}b iptables -t nat -A POSTROUTING -s 10.70.0.0/24 -o ab-b -j MASQUERADE
      ip netns exec \${P}b iptables -t nat -A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.70.0.2:80
      ip netns exec \${P}c iptables -t filter -A INPUT -j ACCEPT
      # rules with selectors and actions a document has no words for (discover leaves them out, warning)
      ip -n \${P}c rule add priority 10 from 10.1.0.0/16 lookup main suppress_prefixlength 0
      ip -n \${P}c rule add priority 12 goto 20
      ip -n \${P}c rule add priority 13 nop
      ip -n \${P}c rule add priority 14 tos 0x10 lookup 100
      ip -n \${P}c rule add priority 15 ipproto tcp dport 80 lookup 100
      ip -n \${P}c rule add priority 16 sport 1000-2000 lookup 100
      ip -n \${P}c rule add priority 17 uidrange 1000-2000 lookup 100
      ip -n \${P}c rule add priority 18 lookup main suppress_ifgroup 5
      ip -n \${P}c rule add priority 19 realms 3 lookup 100
      ip -n \${P}c rule add priority 20 from 10.3.0.0/16 lookup 100 protocol static
      ip -n \${P}c rule add priority 21 tun_id 5 lookup 100
      ip -n \${P}c -6 rule add priority 22 from 2001:db8::/32 lookup main suppress_prefixlength 0`);
    assert.equal(r.code, 0, r.stderr);
    // the kernel's linkwatch turns br0's oper state UNKNOWN → UP a moment after its port
    // gets carrier; the two reads below must see the same settled state
    const settled = await sb.bash('for i in $(seq 100); do ip -j link show dev br0 | grep -q \'"operstate":"UP"\' && exit 0; sleep 0.05; done; exit 1');
    assert.equal(settled.code, 0, 'br0 never came up');
    const names = [
      sb.hostNs,
      ...readdirSync('/run/netns')
        .filter((n) => n.startsWith(sb.prefix) && n !== sb.hostNs)
        .sort(),
    ];
    const targets = names.map((n) => namedTarget(n)!);
    assert.equal(targets.length, 4);
    await waitUntil('IPv6 to settle (link-local addresses, DAD)', () => names.every(ipv6Settled), 20_000);
    const viaIp = await readTargets(targets, { reader: 'ip' });
    const viaNl = await readTargets(targets, {});
    assert.deepEqual(
      viaNl.map((n) => n.rules),
      viaIp.map((n) => n.rules),
      'the same policy rules',
    );
    assert.deepEqual(withoutCounters(viaNl), withoutCounters(viaIp));
    // and the facts are really there (both readers could be equally blind)
    const a = viaNl.find((n) => n.name === sb.ns('a'))!;
    const b = viaNl.find((n) => n.name === sb.ns('b'))!;
    assert.ok(a.routes.some((x) => x.table === 100 && x.dst === '10.80.0.0/16'));
    assert.ok(a.routes.some((x) => x.family === 6 && x.dst === '2001:db8:99::/48'));
    assert.ok(a.routes.some((x) => x.type === 'blackhole'));
    assert.deepEqual(a.routes.find((x) => x.table === 101 && x.dst === 'default')?.nexthops, [
      { via: '10.70.0.1', dev: 'a0', weight: 2 },
      { via: '10.70.0.3', dev: 'a0', weight: 1 },
    ]);
    assert.deepEqual(
      a.routes.find((x) => x.dst === '2001:db8:98::/48')?.nexthops?.map((h) => h.weight),
      [1, 3],
    );
    assert.equal(a.routes.find((x) => x.dst === '10.81.0.0/16')?.onlink, true);
    assert.deepEqual(
      a.rules.filter((x) => x.priority === 104).map((x) => [x.fwmark, x.fwmask, x.tableId]),
      [[0x10, 0xff, 101]],
    );
    assert.equal(a.rules.filter((x) => x.family === 4 && (x.priority === 100 || x.priority === 101)).length, 2);
    assert.equal(a.links.find((l) => l.name === 'a1')?.peer?.name, 'a2');
    assert.equal(a.links.find((l) => l.name === 'a1')?.alias, 'a side');
    assert.equal(a.links.find((l) => l.name === 'ab-a')?.peer?.namespace, sb.ns('b'));
    assert.deepEqual(b.links.map((l) => l.kind).sort(), ['loopback', 'tap', 'veth', 'vxlan']);
    assert.ok(a.rules.some((x) => x.text === '101: not from all to 10.1.0.0/16 fwmark 0x5 lookup main'));
    // IPv6 policy rules, each with its family (a `from all` rule says nothing of it by itself)
    assert.deepEqual(
      a.rules.filter((x) => x.family === 6 && x.priority >= 100 && x.priority < 1000).map((x) => x.text),
      ['100: from 2001:db8:70::/64 lookup 100', '102: from all iif a0 lookup 200', '103: from all to 2001:db8:66::/48 prohibit'],
    );
    assert.deepEqual(
      a.rules
        .filter((x) => x.priority < 100 || x.priority > 32000)
        .map((x) => `${x.family} ${x.text}`)
        .sort(),
      [
        '4 0: from all lookup local',
        '4 32766: from all lookup main',
        '4 32767: from all lookup default',
        '6 0: from all lookup local',
        '6 32766: from all lookup main',
      ].sort(),
    );
    // our host dump sees the same rules (and the `ip -6 rule` text agrees with the observed one)
    const dump = await hostDump(sb);
    assert.deepEqual(dump.a.rules.filter((x) => x.startsWith('-6 ')).length, 3);
    const ip6 = await sb.inNs('a', ['ip', '-6', 'rule', 'show']);
    const printed = ip6.stdout
      .split('\n')
      .map((l) => l.replace(/\t/g, ' ').trim())
      .filter(Boolean);
    for (const r of a.rules.filter((x) => x.family === 6)) assert.ok(printed.includes(r.text), `${r.text} in ${printed.join(' | ')}`);
    assert.equal(b.sysctls['net.ipv4.ip_forward'], '1');
    assert.equal(b.sysctls['net.ipv6.conf.all.forwarding'], '1');
    assert.equal(b.natLines?.length, 2);
    const c = viaNl.find((n) => n.name === sb.ns('c'))!;
    assert.deepEqual(c.natLines, []);
    // what a document cannot say is read, by both readers alike, in `ip rule` words
    assert.deepEqual(
      c.rules.filter((x) => x.priority >= 10 && x.priority < 100).map((x) => [x.family, x.priority, x.unsaid, x.action]),
      [
        [4, 10, ['suppress_prefixlength 0'], undefined],
        [4, 12, ['goto 20'], 'goto'],
        [4, 13, ['nop'], 'nop'],
        [4, 14, ['tos 0x10'], undefined],
        [4, 15, ['ipproto tcp', 'dport 80'], undefined],
        [4, 16, ['sport 1000-2000'], undefined],
        [4, 17, ['uidrange 1000-2000'], undefined],
        [4, 18, ['suppress_ifgroup 5'], undefined],
        [4, 19, ['realms 3'], undefined],
        [4, 20, undefined, undefined],
        [4, 21, ['tun_id 5'], undefined],
        [6, 22, ['suppress_prefixlength 0'], undefined],
      ],
    );
    // and discover leaves each out of the document, warning with the namespace and the rule
    const h = await startSandboxHelper(sb);
    try {
      const d = await discoverSandbox(h, sb);
      const cDoc = d.document.namespaces.find((n) => n.name === 'c')!;
      assert.deepEqual(cDoc.rules, [{ priority: 20, from: '10.3.0.0/16', table: 100 }]);
      const left = d.observed.warnings.filter((w) => w.startsWith('namespace c: policy rule'));
      assert.equal(left.length, 11, left.join('\n'));
      assert.ok(
        left.includes('namespace c: policy rule "14: from all tos 0x10 lookup 100" is left out of the document: a document cannot say tos 0x10'),
        left.join('\n'),
      );
      assert.ok(left.includes('namespace c: policy rule "12: from all goto 20" is left out of the document: a document cannot say goto 20'), left.join('\n'));
      assert.ok(left.some((w) => w.includes('"101: not from all to 10.1.0.0/16 fwmark 0x5 lookup main"')) === false, "a's rules are another namespace");
      assert.ok(
        d.observed.warnings.some((w) => w.startsWith('namespace a: policy rule "101: not from all') && w.endsWith('cannot say not')),
        d.observed.warnings.join('\n'),
      );
    } finally {
      await h.close();
    }
  });
});

test('the long-lived reader never keeps a deleted namespace alive; a vanished namespace is left out, not an error', { skip }, async () => {
  await withSandbox('nlhold', async (sb) => {
    const r = await sb.bash('ip netns add ${P}gone; ip link add name to-gone type veth peer name in-gone netns ${P}gone');
    assert.equal(r.code, 0, r.stderr);
    const gone = namedTarget(sb.ns('gone'))!;
    const host = namedTarget(sb.hostNs)!;
    const first = await readNetlink([host.path, gone.path]);
    assert.equal(first.size, 2);
    assert.ok(first.get(host.path)!.raw.addr.some((l: { ifname: string }) => l.ifname === 'to-gone'));
    // the reader just read `gone` last; deleting it must destroy the pair (a process inside would keep it)
    assert.equal((await sb.bash('ip netns del ${P}gone')).code, 0);
    await waitUntilAsync(
      'the host end to vanish with the namespace',
      async () => (await sb.inHost(['ip', 'link', 'show', 'dev', 'to-gone'])).code !== 0,
      1000,
      20,
    );
    const after = await readTargets([host, gone], {});
    assert.deepEqual(
      after.map((n) => n.name),
      [sb.hostNs],
    );
  });
});
