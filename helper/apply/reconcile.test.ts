/**
 * Reconcile on the real kernel: what a topology's record lists and someone
 * removed by hand (a NAT rule, a namespace) is re-created with its reason, is
 * never planned for removal, and leaves one record entry per object, so destroy
 * still gives back the host as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { sandboxWrap, scenarioDoc, withStateDir } from '../../testing/apply-support';
import type { ApplyContext } from './context';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { probeFeatures } from './features';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping reconcile tests: ${skip}`);

const ctxFor = (sb: Sandbox, stateDir: string): ApplyContext => ({ engine: hostEngine(), stateDir, wrap: sandboxWrap(sb) });

test('a NAT rule and a namespace removed by hand: re-created with the reason, nothing removed, one record entry each', { skip }, async (t) => {
  if (!(await probeFeatures()).iptables) return t.skip('iptables is not installed: the router scenario has NAT rules');
  await withSandbox('recon', async (sb) => {
    await withStateDir(async (dir) => {
      const empty = await hostDump(sb);
      const doc = { ...scenarioDoc('04-router-nat', sb), name: 'router' };
      assert.equal((await applyDocument(doc, {}, ctxFor(sb, dir))).matches, true);
      const applied = await hostDump(sb);
      const recordPath = join(dir, 'topologies', 'router', 'owned.json');
      const entries = () =>
        (JSON.parse(readFileSync(recordPath, 'utf8')) as { log: { key: string; kind: string; command: { namespace: string; argv: string[] } }[] }).log.map(
          (e) => `${e.kind} ${e.key} ${e.command.namespace}: ${e.command.argv.join(' ')}`,
        );
      const first = entries();
      const r1 = await sb.inNs('ns-router', ['iptables', '-w', '-t', 'nat', '-F', 'POSTROUTING']);
      assert.equal(r1.code, 0, r1.stderr);
      // planned right away: the kernel frees ns2 a moment later, and the plan waits for its veth's far end in the router to go
      await sb.bash('ip netns del ${P}ns2');
      const plan = await planForHost(doc, ctxFor(sb, dir));
      assert.equal(plan.summary.delete, 0);
      const nat = plan.steps.find((s) => s.argv[0] === 'iptables');
      assert.match(nat?.reason ?? '', /\(removed outside netns-studio\)$/);
      assert.ok(
        plan.gone.some((k) => k.startsWith('nat:')),
        plan.gone.join(' '),
      );
      assert.ok(plan.gone.includes(`netns:${sb.ns('ns2')}`));
      const r = await applyDocument(doc, { planHash: plan.planHash }, ctxFor(sb, dir));
      assert.equal(r.matches, true, JSON.stringify(r.remaining));
      assert.deepEqual(await hostDump(sb), applied);
      // the record lists what it did the first time, once: nothing forgotten, nothing twice
      assert.deepEqual([...entries()].sort(), [...first].sort());
      await destroyDocument(doc, {}, ctxFor(sb, dir));
      assert.deepEqual(await hostDump(sb), empty);
    });
  });
});
