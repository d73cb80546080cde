/**
 * The netlink runner (./netlink-lanes.pl) on the real kernel: a star big enough
 * to fan out builds exactly what one `ip` per command builds; a failure inside
 * its lanes (injected, or the kernel's) is reported with the namespace's line
 * and rolled back. Plus which `ip` forms it takes (the rest goes to `ip -batch`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology } from '../../shared/model/schema';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { starDocument, starShellScript } from '../../testing/star-topology';
import type { ApplyContext } from './context';
import { hostEngine } from './engine';
import { ApplyFailure } from './failure';
import { netlinkLanesAvailable, netlinkSupports } from './netlink-lanes';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { commandFromArgv } from '../../shared/plan/legacy-argv';

const N = 12; // more than the executor's fan-out threshold
const skip = kernelSkipReason() ?? (netlinkLanesAvailable() ? undefined : 'no /usr/bin/perl or unknown setns syscall number for this architecture');
if (skip) console.log(`# skipping netlink lane tests: ${skip}`);

const ctxFor = (sb: Sandbox, stateDir: string, extra: Partial<ApplyContext> = {}): ApplyContext => ({
  engine: hostEngine(),
  stateDir,
  wrap: sandboxWrap(sb),
  ...extra,
});

test('which ip lines the netlink runner takes', () => {
  const yes = [
    'ip link set dev lo up',
    'ip link set dev eth0 down',
    'ip link set dev eth0 mtu 1400',
    'ip addr add 10.0.0.2/16 dev eth0',
    'ip address add 2001:db8::2/64 dev eth0',
    'ip route add default via 10.0.0.1',
    'ip route add default via 10.0.0.1 dev eth0 metric 5',
    'ip route add 10.9.0.0/24 dev eth0',
    'ip route add 2001:db8:1::/64 via 2001:db8::1',
  ];
  const no = [
    'ip link add name x type bridge',
    'ip link set dev eth0 master br0',
    'ip addr del 10.0.0.2/16 dev eth0',
    'ip route add default via 10.0.0.1 table 100',
    'ip route add blackhole 10.0.0.0/8',
    'ip route add default dev eth0 src 10.0.0.2',
    'ip -6 route add default via 2001:db8::1',
    'ip route replace default via 10.0.0.1',
    'ip netns add x',
    'ip route add default via 2001:db8::1',
    'ip route add default via 10.0.0.1 via 10.0.0.2',
    'sysctl -q -w net.ipv4.ip_forward=1',
  ];
  for (const l of yes) assert.equal(netlinkSupports(l.split(' ')), true, l);
  for (const l of no) assert.equal(netlinkSupports(l.split(' ')), false, l);
});

test(`a star of ${N} through the netlink lanes = one ip per command; faults inside the lanes roll back`, { skip }, async () => {
  const reference = await withSandbox('nlref', async (sb) => {
    const r = await sb.bash(starShellScript(sb.prefix, N).up);
    assert.equal(r.code, 0, r.stderr);
    return hostDump(sb);
  });
  await withSandbox('nl', async (sb) => {
    await withStateDir(async (dir) => {
      const empty = await hostDump(sb);
      const doc = Topology.parse(starDocument(sb.prefix, N));
      const plan = await planForHost(doc, ctxFor(sb, dir));
      // an injected failure in the middle of a namespace's lane, and in the last one
      const lane = (ns: string) =>
        plan.steps
          .map((s, i) => [s, i] as const)
          .filter(([s]) => s.namespace === ns)
          .map(([, i]) => i);
      for (const k of [lane(sb.ns('s3'))[1], lane(sb.ns(`s${N - 1}`)).at(-1)!]) {
        await assert.rejects(
          applyDocument(doc, {}, ctxFor(sb, dir, { failAtStep: k })),
          (e: unknown) => e instanceof ApplyFailure && e.code === 'step-failed' && (e.failure.detail as { index: number }).index === k,
        );
        assert.deepEqual(await hostDump(sb), empty, `failure at step ${k + 1} (${plan.steps[k].reason}) was not rolled back`);
      }
      // the kernel's own failure in a lane: its text and line come back
      const real = hostEngine();
      const bad = {
        ...real,
        plan: (...a: Parameters<typeof real.plan>) =>
          real
            .plan(...a)
            .map((s) =>
              s.namespace === sb.ns('s5') && s.argv.join(' ') === 'ip link set dev eth0 up'
                ? { ...s, ...commandFromArgv(s.namespace, ['ip', 'link', 'set', 'dev', 'nosuch0', 'up']) }
                : s,
            ),
      };
      await assert.rejects(applyDocument(doc, {}, ctxFor(sb, dir, { engine: bad })), (e: unknown) => {
        assert.ok(e instanceof ApplyFailure && e.code === 'step-failed', String(e));
        const d = e.failure.detail as { argv: string[]; namespace: string; stderr: string; rolledBack: boolean };
        assert.deepEqual([d.namespace, d.argv.join(' ')], [sb.ns('s5'), 'ip link set dev nosuch0 up']);
        assert.match(d.stderr, /Cannot find device "nosuch0"/);
        assert.equal(d.rolledBack, true);
        return true;
      });
      assert.deepEqual(await hostDump(sb), empty);

      const r = await applyDocument(doc, {}, ctxFor(sb, dir));
      assert.equal(r.matches, true);
      assert.deepEqual(await hostDump(sb), reference, 'built by netlink = built by ip');
      await destroyDocument(doc, {}, ctxFor(sb, dir));
      assert.deepEqual(await hostDump(sb), empty);
    });
  });
});
