/**
 * Fault classes made on the real kernel inside a sandbox: each is first shown
 * working (predicted ok from the live host and a real ping through the helper's
 * `ping` method answers), then one thing is broken with `ip`/`sysctl`/`iptables`
 * inside the sandbox, the host is discovered again, and the prediction must be
 * a fail at the right hop with a reason naming the fault, agreeing with ping.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripHost } from '../discover/index';
import type { HelperClient } from '../client';
import { netOfObserved } from '../../shared/reach/from-observed';
import { trace } from '../../shared/reach/trace';
import type { ReachResult } from '../../shared/reach/result';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { SCENARIO_DIR } from '../../testing/scenarios';
import { waitSettled } from '../../testing/settle';
import type {} from '../methods/ping';
import { hasProgram } from '../programs';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping reach fault tests: ${skip}`);

const reference = (name: string) => readFileSync(join(SCENARIO_DIR, name, 'reference-up.sh'), 'utf8');

/** a reaches b through router r; b answers over a direct link to a (asymmetric). */
const ASYMMETRIC = `
for n in a r b; do ip netns add \${P}$n; ip -n \${P}$n link set lo up; done
ip -n \${P}a link add a1 type veth peer name r1 netns \${P}r
ip -n \${P}r link add r2 type veth peer name b1 netns \${P}b
ip -n \${P}a link add a2 type veth peer name b2 netns \${P}b
ip -n \${P}a addr add 10.1.0.1/24 dev a1; ip -n \${P}r addr add 10.1.0.254/24 dev r1
ip -n \${P}r addr add 10.2.0.254/24 dev r2; ip -n \${P}b addr add 10.2.0.1/24 dev b1
ip -n \${P}a addr add 10.3.0.1/24 dev a2; ip -n \${P}b addr add 10.3.0.2/24 dev b2
for x in "a a1" "a a2" "r r1" "r r2" "b b1" "b b2"; do set -- $x; ip -n \${P}$1 link set $2 up; done
ip netns exec \${P}r sysctl -qw net.ipv4.ip_forward=1
ip -n \${P}a route add 10.2.0.0/24 via 10.1.0.254
ip -n \${P}b route add 10.1.0.0/24 via 10.3.0.1
`;

/** n1 and n2 routed over IPv6 by the sandbox host (v6 forwarding on there only). */
const ROUTED_V6 = `
for i in 1 2; do
  ip netns add \${P}n$i; ip -n \${P}n$i link set lo up
  ip link add h$i type veth peer name v$i netns \${P}n$i
  ip addr add fd12:$i::1/64 dev h$i nodad; ip link set h$i up
  ip -n \${P}n$i addr add fd12:$i::2/64 dev v$i nodad; ip -n \${P}n$i link set v$i up
  ip -n \${P}n$i -6 route add default via fd12:$i::1
done
sysctl -qw net.ipv6.conf.all.forwarding=1
`;

/** Scenario 03's bridged LAN with IPv6 addresses too. */
const BRIDGED_V6 = `${reference('03-bridge-lan')}
ip -n \${P}ns1 addr add fd13::2/64 dev veth1 nodad
ip -n \${P}ns2 addr add fd13::3/64 dev veth2 nodad
`;

interface KernelFault {
  name: string;
  build: string;
  /** run once built and checked working, before the fault ('' = none) */
  prepare?: string;
  fault: string | ((sb: Sandbox) => Promise<string>);
  from: string;
  to: string;
  code: string;
  ns: string;
  direction?: 'request' | 'reply';
  says: RegExp;
  /** picks the variant this kernel can show, inside the sandbox */
  choose?: (sb: Sandbox) => Promise<KernelFault>;
}

async function predictLive(h: HelperClient, sb: Sandbox, from: string, to: string): Promise<ReachResult> {
  const d = await discoverSandbox(h, sb, { filter: true });
  return trace(netOfObserved(stripHost(d.observed, sb.prefix)), from, to);
}

async function ping(h: HelperClient, sb: Sandbox, from: string, to: string, count: number): Promise<'ok' | 'fail'> {
  const r = await h.request<'ping'>('ping', { pings: [{ from: from === 'host' ? 'host' : sb.ns(from), to, count, timeoutMs: 1000 }] });
  return r.results[0].ok ? 'ok' : 'fail';
}

/** Bridge netfilter in the sandbox host (per namespace): FORWARD DROP there stops bridged traffic only when it is on. */
async function bridgeNfOn(sb: Sandbox): Promise<boolean> {
  const r = await sb.inHost(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables']);
  return r.code === 0 && r.stdout.trim() === '1';
}

const BRIDGED_DROP: KernelFault = {
  name: 'FORWARD policy DROP in the host with bridge netfilter (bridged LAN)',
  build: reference('03-bridge-lan'),
  fault: 'iptables -P FORWARD DROP',
  from: 'ns1',
  to: '192.168.0.3',
  code: 'filter-drop',
  ns: 'host',
  says: /FORWARD policy is DROP.*bridge netfilter/,
};
const ROUTED_DROP: KernelFault = {
  name: 'FORWARD policy DROP in a router',
  build: reference('04-router-nat'),
  fault: 'ip netns exec ${P}ns-router iptables -P FORWARD DROP',
  from: 'ns1',
  to: '192.168.2.1',
  code: 'filter-drop',
  ns: 'ns-router',
  says: /FORWARD policy is DROP/,
};

const ROUTED_V6_DROP: KernelFault = {
  name: 'ip6tables FORWARD DROP rule in the sandbox host (routed IPv6)',
  build: ROUTED_V6,
  fault: 'ip6tables -A FORWARD -d fd12:2::2 -j DROP',
  from: 'n1',
  to: 'fd12:2::2',
  code: 'filter-drop',
  ns: 'host',
  says: /host: filter rule "-A FORWARD -d fd12:2::2\/128 -j DROP" drops it/,
};
const BRIDGED_V6_DROP: KernelFault = {
  name: 'ip6tables FORWARD policy DROP in the sandbox host, bridged IPv6 LAN',
  build: BRIDGED_V6,
  fault: 'ip6tables -P FORWARD DROP',
  from: 'ns1',
  to: 'fd13::3',
  code: 'filter-drop',
  ns: 'host',
  says: /FORWARD policy is DROP.*ip6tables FORWARD chain because net\.bridge\.bridge-nf-call-ip6tables=1/,
};

const FAULTS: KernelFault[] = [
  {
    name: "link down (the far end of the router's veth)",
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns2 link set veth-ns2 down',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-carrier',
    ns: 'ns-router',
    says: /peer veth-ns2 in ns2 is down/,
  },
  {
    name: "link down (the router's own veth: the kernel drops its routes with it)",
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns-router link set veth-router2 down',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'link-down',
    ns: 'ns-router',
    says: /link veth-router2 is down \(it holds 192\.168\.2\.254\/24/,
  },
  {
    name: 'no route',
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns1 route del default',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-route',
    ns: 'ns1',
    says: /no route to 192\.168\.2\.1/,
  },
  {
    name: 'wrong gateway',
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns1 route replace default via 192.168.1.253',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'wrong-gateway',
    ns: 'ns1',
    says: /gateway 192\.168\.1\.253 does not answer/,
  },
  {
    name: 'forwarding off in the router',
    build: reference('04-router-nat'),
    fault: 'ip netns exec ${P}ns-router sysctl -qw net.ipv4.ip_forward=0',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'forwarding-off',
    ns: 'ns-router',
    says: /forwarding is off/,
  },
  {
    name: "missing masquerade on the way out (ns2 knows no way back to ns1's LAN)",
    build: reference('04-router-nat'),
    prepare: 'ip -n ${P}ns2 route del default',
    fault: 'ip netns exec ${P}ns-router iptables -t nat -F POSTROUTING',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-return-route',
    ns: 'ns2',
    direction: 'reply',
    says: /without masquerade/,
  },
  {
    name: 'strict rp_filter with an asymmetric path',
    build: ASYMMETRIC,
    fault: 'ip netns exec ${P}a sysctl -qw net.ipv4.conf.all.rp_filter=1',
    from: 'a',
    to: '10.2.0.1',
    code: 'rp-filter',
    ns: 'a',
    direction: 'reply',
    says: /rp_filter is strict.*leaves by a1, not a2/,
  },
  {
    name: 'a fault only on the return path (ns1 has no route back)',
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns1 route del default',
    from: 'ns2',
    to: '192.168.1.1',
    code: 'no-return-route',
    ns: 'ns1',
    direction: 'reply',
    says: /ns1 has no route back to 192\.168\.2\.1/,
  },
  {
    name: 'a policy rule to an empty table (main rule removed)',
    build: reference('04-router-nat'),
    fault: 'ip -n ${P}ns1 rule add pref 100 lookup 100 && ip -n ${P}ns1 rule del pref 32766',
    from: 'ns1',
    to: '192.168.2.1',
    code: 'no-route',
    ns: 'ns1',
    says: /table 100 \(empty\)/,
  },
  {
    ...BRIDGED_DROP,
    name: 'FORWARD policy DROP in the sandbox host, bridged LAN (bridge netfilter; routed FORWARD DROP where it is off)',
    choose: async (sb) => {
      if (await bridgeNfOn(sb)) return BRIDGED_DROP;
      console.log('# reach faults: net.bridge.bridge-nf-call-iptables is missing or 0 in the sandbox host, so FORWARD DROP is tested on routed traffic');
      return ROUTED_DROP;
    },
  },
  ROUTED_DROP,
  ROUTED_V6_DROP,
  {
    ...BRIDGED_V6_DROP,
    choose: async (sb) => {
      const r = await sb.inHost(['cat', '/proc/sys/net/bridge/bridge-nf-call-ip6tables']);
      if (r.code === 0 && r.stdout.trim() === '1') return BRIDGED_V6_DROP;
      console.log(
        '# reach faults: net.bridge.bridge-nf-call-ip6tables is missing or 0 in the sandbox host, so the ip6tables FORWARD DROP is tested on routed traffic',
      );
      return ROUTED_V6_DROP;
    },
  },
  {
    name: 'a firewall mark set in mangle PREROUTING sends lan1 out of the other uplink (scenario 07, rule 90 fwmark 0x2/0xff)',
    build: reference('07-policy-routing'),
    fault: 'ip netns exec ${P}edge iptables -t mangle -A PREROUTING -i e-l1 -j MARK --set-mark 2',
    from: 'lan1',
    to: '198.51.100.1',
    code: 'no-return-route',
    ns: 'isp2',
    direction: 'reply',
    says: /isp2 has no route back to 10\.71\.1\.2/,
  },
];

for (const entry of FAULTS) {
  test(`kernel fault: ${entry.name}: predicted fail naming it, and ping agrees`, { skip }, async () => {
    await withSandbox('rfault', async (sb) => {
      const f = entry.choose ? await entry.choose(sb) : entry;
      const built = await sb.bash(f.build);
      assert.equal(built.code, 0, `build failed: ${built.stderr}`);
      if (f.prepare) assert.equal((await sb.bash(f.prepare)).code, 0);
      await waitSettled(sb);
      const h = await startSandboxHelper(sb);
      try {
        const before = await predictLive(h, sb, f.from, f.to);
        assert.equal(before.predicted, 'ok', `before the fault: ${before.reason}`);
        assert.equal(await ping(h, sb, f.from, f.to, 3), 'ok', 'before the fault the ping answers');

        const broke = await sb.bash(typeof f.fault === 'string' ? f.fault : await f.fault(sb));
        assert.equal(broke.code, 0, `fault injection failed: ${broke.stderr}`);
        const after = await predictLive(h, sb, f.from, f.to);
        assert.equal(after.predicted, 'fail', after.reason);
        assert.equal(after.failure?.code, f.code, after.reason);
        assert.equal(after.failure?.ns, f.ns, after.reason);
        assert.equal(after.failure?.direction, f.direction ?? 'request', after.reason);
        assert.match(after.failure!.reason, f.says);
        assert.ok(after.failure!.fix.length > 10, 'a fix is offered');
        assert.equal(await ping(h, sb, f.from, f.to, 1), 'fail', 'the real ping fails too');
      } finally {
        await h.close();
      }
    });
  });
}

test(
  'kernel: bridge netfilter is read per namespace, not assumed: with bridge-nf-call-iptables=0 a FORWARD DROP host still bridges, and =1 stops it',
  { skip },
  async (t) => {
    await withSandbox('rbrnf', async (sb) => {
      if ((await sb.inHost(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables'])).code !== 0) {
        t.skip('br_netfilter is not loaded (no /proc/sys/net/bridge): bridged traffic cannot meet iptables here');
        return;
      }
      const built = await sb.bash(`${reference('03-bridge-lan')}\nsysctl -qw net.bridge.bridge-nf-call-iptables=0\niptables -P FORWARD DROP`);
      assert.equal(built.code, 0, `build failed: ${built.stderr}`);
      await waitSettled(sb);
      const h = await startSandboxHelper(sb);
      try {
        const off = await predictLive(h, sb, 'ns1', '192.168.0.3');
        assert.equal(off.predicted, 'ok', `bridge netfilter off: ${off.reason}`);
        assert.equal(await ping(h, sb, 'ns1', '192.168.0.3', 3), 'ok', 'bridge netfilter off: the ping answers despite FORWARD DROP');
        assert.equal((await sb.bash('sysctl -qw net.bridge.bridge-nf-call-iptables=1')).code, 0);
        const on = await predictLive(h, sb, 'ns1', '192.168.0.3');
        assert.equal(on.predicted, 'fail', on.reason);
        assert.equal(on.failure?.code, 'filter-drop', on.reason);
        assert.match(on.failure!.reason, /bridge-nf-call-iptables=1/);
        assert.equal(await ping(h, sb, 'ns1', '192.168.0.3', 1), 'fail', 'bridge netfilter on: the real ping fails too');
      } finally {
        await h.close();
      }
    });
  },
);

test(
  'kernel: a native nftables table (made with nft, not iptables) in a router is read: a rule with matches is unknown quoting it, a plain drop is a fail agreeing with ping',
  { skip },
  async (t) => {
    if (!hasProgram('nft')) {
      t.skip('nft is not installed (apt-get install nftables): native nftables tables cannot be made here');
      return;
    }
    await withSandbox('rnft', async (sb) => {
      const built = await sb.bash(reference('04-router-nat'));
      assert.equal(built.code, 0, `build failed: ${built.stderr}`);
      await waitSettled(sb);
      const h = await startSandboxHelper(sb);
      try {
        assert.equal((await predictLive(h, sb, 'ns1', '192.168.2.1')).predicted, 'ok');
        assert.equal(await ping(h, sb, 'ns1', '192.168.2.1', 3), 'ok');
        const nft = (cmd: string) => sb.bash(`ip netns exec \${P}ns-router nft ${cmd}`);
        assert.equal(
          (
            await nft(
              "add table inet nss12 && ip netns exec ${P}ns-router nft add chain inet nss12 fw '{ type filter hook forward priority 0; policy accept; }'",
            )
          ).code,
          0,
        );
        assert.equal((await nft('add rule inet nss12 fw ip saddr 192.168.1.1 counter drop')).code, 0);
        const unknown = await predictLive(h, sb, 'ns1', '192.168.2.1');
        assert.equal(unknown.predicted, 'unknown', unknown.reason);
        assert.equal(unknown.failure?.code, 'filter-unknown', unknown.reason);
        assert.match(unknown.reason, /nftables table inet nss12, chain fw .*saddr.*192\.168\.1\.1/);
        assert.equal((await nft('flush chain inet nss12 fw')).code, 0);
        assert.equal((await nft('add rule inet nss12 fw counter drop')).code, 0);
        const drop = await predictLive(h, sb, 'ns1', '192.168.2.1');
        assert.equal(drop.predicted, 'fail', drop.reason);
        assert.equal(drop.failure?.code, 'filter-drop', drop.reason);
        assert.equal(drop.failure?.ns, 'ns-router', drop.reason);
        assert.match(drop.failure!.reason, /nftables table inet nss12, chain fw .*drops it/);
        assert.equal(await ping(h, sb, 'ns1', '192.168.2.1', 1), 'fail', 'the real ping fails too');
        assert.equal((await nft("flush chain inet nss12 fw && ip netns exec ${P}ns-router nft add chain inet nss12 fw '{ policy drop; }'")).code, 0);
        const policy = await predictLive(h, sb, 'ns1', '192.168.2.1');
        assert.match(policy.failure?.reason ?? policy.reason, /policy of ns-router's nftables table inet nss12, chain fw .* is drop/);
        assert.equal(await ping(h, sb, 'ns1', '192.168.2.1', 1), 'fail');
      } finally {
        await h.close();
      }
    });
  },
);

test('the helper refuses pings to addresses outside this host and from unknown namespaces, sending nothing', { skip }, async () => {
  await withSandbox('rping', async (sb) => {
    await sb.bash(reference('02-veth-to-host'));
    const h = await startSandboxHelper(sb);
    try {
      await assert.rejects(
        h.request<'ping'>('ping', {
          pings: [
            { from: sb.ns('ns1'), to: '10.0.0.1' },
            { from: sb.ns('ns1'), to: '8.8.8.8' },
          ],
        }),
        (e: Error & { code?: string }) => /8\.8\.8\.8: no namespace on this host holds it/.test(e.message),
      );
      await assert.rejects(h.request<'ping'>('ping', { pings: [{ from: `${sb.prefix}nope`, to: '10.0.0.1' }] }), /no such named namespace/);
      await assert.rejects(h.request('ping', { pings: [{ from: sb.ns('ns1'), to: '10.0.0.1', count: 4 }] }), /count|bad-params|less than or equal/i);
      await assert.rejects(h.request('ping', { pings: [{ from: '../x', to: '10.0.0.1' }] }));
      const ok = await h.request<'ping'>('ping', {
        pings: [
          { from: sb.ns('ns1'), to: '10.0.0.1', count: 3 },
          { from: 'host', to: '10.0.0.2', count: 3 },
        ],
      });
      assert.deepEqual(
        ok.results.map((r) => r.ok),
        [true, true],
      );
    } finally {
      await h.close();
    }
  });
});
