/**
 * A Docker-like host (FORWARD policy DROP, bridge netfilter on), made INSIDE the
 * sandbox host namespace (the real host's firewall is never touched): the plan
 * of a bridge LAN in `host` warns and names the option; without it the LAN
 * passes nothing across the bridge; with `acceptForward` the pings pass right
 * after apply, the rule is ours (commented), a re-plan is empty, and destroy
 * removes it and nothing else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Topology } from '../../shared/model/schema';
import { checkPings, type PingCheck } from '../../testing/pings';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { sandboxWrap, scenarioDoc, withStateDir } from '../../testing/apply-support';

const kernel = kernelSkipReason();
const noIptables = !['/usr/sbin/iptables', '/sbin/iptables'].some((p) => existsSync(p))
  ? 'iptables is not installed (Debian: apt-get install iptables)'
  : undefined;
const skip = kernel ?? noIptables;
if (skip) console.log(`# skipping host firewall tests: ${skip}`);

const filterRules = async (sb: Sandbox) =>
  (await sb.inHost(['iptables-save', '-t', 'filter'])).stdout
    .split('\n')
    .filter((l) => l.startsWith('-') || l.startsWith(':'))
    .map((l) => l.replace(/ \[\d+:\d+\]$/, ''))
    .sort();
/** across the bridge (FORWARD) and to the bridge itself (INPUT, not filtered by FORWARD) */
const across: PingCheck[] = [
  { from: 'ns1', target: '192.168.0.3', expect: 'ok' },
  { from: 'ns2', target: '192.168.0.2', expect: 'ok' },
];
const toBridge: PingCheck[] = [{ from: 'ns1', target: '192.168.0.1', expect: 'ok' }];

test('FORWARD DROP with bridge netfilter: the plan warns, acceptForward makes the pings pass, destroy removes the rule', { skip }, async (t) => {
  await withSandbox('fwdrop', async (sb) =>
    withStateDir(async (dir) => {
      const nf = await sb.inHost(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables']);
      if (nf.code !== 0) {
        // br_netfilter cannot be loaded here: bridged traffic never meets iptables, so no warning is due
        t.diagnostic(
          `br_netfilter is not available in this kernel (${nf.stderr.trim()}): checking only that no warning is given and the option still adds and removes its rule`,
        );
      } else if (nf.stdout.trim() !== '1') {
        assert.equal((await sb.inHost(['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1'])).code, 0);
      }
      const bridgeNf = nf.code === 0;
      assert.equal((await sb.inHost(['iptables', '-w', '-P', 'FORWARD', 'DROP'])).code, 0);
      const before = await filterRules(sb);
      const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };

      const plain = scenarioDoc('03-bridge-lan', sb);
      const plan = await planForHost(plain, ctx);
      if (bridgeNf) {
        assert.deepEqual(
          plan.warnings.map((w) => `${w.code} ${w.object}`),
          ['forward-drop link:host/br0'],
        );
        assert.match(plan.warnings[0].message, /bridge-nf-call-iptables=1.*policy is DROP.*acceptForward: true/);
        await applyDocument(plain, {}, ctx);
        const failures = await checkPings(sb, [...across, ...toBridge]);
        assert.deepEqual(
          failures.map((f) => `${f.from}->${f.target}`).sort(),
          ['ns1->192.168.0.3', 'ns2->192.168.0.2'],
          'bridged traffic is dropped; traffic to the bridge is not',
        );
        await destroyDocument(plain, {}, ctx);
      } else {
        assert.deepEqual(plan.warnings, []);
      }

      const doc: Topology = { ...plain, bridges: plain.bridges.map((b) => ({ ...b, acceptForward: true })) };
      const plan2 = await planForHost(doc, ctx);
      assert.deepEqual(plan2.warnings, [], 'the option answers the warning');
      const step = plan2.steps.find((s) => s.object === 'accept:host/br0');
      assert.deepEqual(step?.argv, [
        'iptables',
        '-w',
        '-t',
        'filter',
        '-I',
        'FORWARD',
        '-i',
        'br0',
        '-o',
        'br0',
        '-m',
        'comment',
        '--comment',
        'netns-studio:bridge:br0',
        '-j',
        'ACCEPT',
      ]);
      const r = await applyDocument(doc, {}, ctx);
      assert.equal(r.matches, true, JSON.stringify(r.remaining));
      assert.deepEqual(await checkPings(sb, [...across, ...toBridge]), [], 'the pings pass right after apply');
      assert.ok((await filterRules(sb)).includes('-A FORWARD -i br0 -o br0 -m comment --comment "netns-studio:bridge:br0" -j ACCEPT'));
      assert.deepEqual((await planForHost(doc, ctx)).steps, [], 'the rule is seen on the host: nothing to do');

      // dropping the option removes the rule (it is ours), the LAN stays
      const off = await applyDocument(plain, {}, ctx);
      assert.equal(off.applied, 1);
      assert.deepEqual(await filterRules(sb), before);
      await applyDocument(doc, {}, ctx);

      const d = await destroyDocument(doc, {}, ctx);
      assert.equal(d.matches, true);
      assert.deepEqual(await filterRules(sb), before, 'destroy removed the rule and left the policy and everything else');
    }),
  );
});
