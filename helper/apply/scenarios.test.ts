/**
 * Every seed scenario, applied from its document on a clean sandbox: the host
 * dumps exactly like after the scenario's own `ip` script, its pings hold and the
 * kernel picks the routes its route-gets file names; applying again has
 * nothing to do; destroy gives back the empty sandbox; a failure injected at any
 * step index leaves the sandbox exactly as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostDump } from '../../testing/host-dump';
import { checkPingsSettled } from '../../testing/pings';
import { checkRouteGets, describeRouteGets } from '../../testing/route-gets';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import type { ApplyContext } from './context';
import { hostEngine } from './engine';
import { ApplyFailure } from './failure';
import { probeFeatures } from './features';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { applyScenarios, sandboxWrap, withStateDir } from '../../testing/apply-support';
import { prefixTopology } from '../../testing/prefix';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping apply scenario tests: ${skip}`);

const ctxFor = (sb: Sandbox, stateDir: string, extra: Partial<ApplyContext> = {}): ApplyContext => ({
  engine: hostEngine(),
  stateDir,
  wrap: sandboxWrap(sb),
  ...extra,
});

async function referenceDump(script: string) {
  return withSandbox('ref', async (sb) => {
    const r = await sb.bash(script);
    assert.equal(r.code, 0, r.stderr);
    return hostDump(sb);
  });
}

for (const sc of applyScenarios()) {
  test(`scenario ${sc.name}: apply = reference script, re-apply is a no-op, destroy restores, faults roll back`, { skip }, async (t) => {
    const features = await probeFeatures();
    if (sc.vrf && !features.vrf) {
      // The kernel lacks VRF: plan must say so clearly and change nothing.
      await withSandbox('vrf', async (sb) => {
        await withStateDir(async (dir) => {
          const before = await hostDump(sb);
          const doc = prefixTopology(sc.doc, sb);
          await assert.rejects(
            planForHost(doc, ctxFor(sb, dir)),
            (e: unknown) => e instanceof ApplyFailure && e.code === 'missing-feature' && /VRF/.test(e.message),
          );
          await assert.rejects(applyDocument(doc, {}, ctxFor(sb, dir)), (e: unknown) => e instanceof ApplyFailure && e.code === 'missing-feature');
          assert.deepEqual(await hostDump(sb), before);
        });
      });
      t.diagnostic('kernel has no VRF: checked that plan and apply refuse with missing-feature and change nothing');
      return;
    }
    const reference = await referenceDump(sc.reference);
    await withSandbox('scen', async (sb) => {
      await withStateDir(async (dir) => {
        const empty = await hostDump(sb);
        const doc = prefixTopology(sc.doc, sb);
        const plan = await planForHost(doc, ctxFor(sb, dir));
        assert.ok(plan.steps.length > 0);
        assert.equal(plan.summary.unmanaged, 0);

        // a failure at every step index: the host is exactly as before
        for (let k = 0; k < plan.steps.length; k++) {
          await assert.rejects(applyDocument(doc, { planHash: plan.planHash }, ctxFor(sb, dir, { failAtStep: k })), (e: unknown) => {
            assert.ok(e instanceof ApplyFailure && e.code === 'step-failed', String(e));
            const d = e.failure.detail as { index: number; rolledBack: boolean };
            assert.equal(d.index, k);
            assert.equal(d.rolledBack, true);
            return true;
          });
          assert.deepEqual(await hostDump(sb), empty, `host changed after a failure at step ${k + 1}: ${plan.steps[k].reason}`);
        }

        const r = await applyDocument(doc, { planHash: plan.planHash }, ctxFor(sb, dir));
        assert.equal(r.matches, true, JSON.stringify(r.remaining));
        assert.deepEqual(await hostDump(sb), reference);
        assert.deepEqual(await checkPingsSettled(sb, sc.pings), [], 'the pings of the scenario hold');
        assert.deepEqual(describeRouteGets(await checkRouteGets(sb, sc.routeGets)), [], 'the kernel picks the routes of route-gets');
        const again = await planForHost(doc, ctxFor(sb, dir));
        assert.deepEqual(again.steps, [], 'nothing to do the second time');
        const r2 = await applyDocument(doc, {}, ctxFor(sb, dir));
        assert.equal(r2.applied, 0);

        // a destroy that fails at any step is rolled back to the applied state
        const applied = await hostDump(sb);
        const { planDestroy } = await import('./pipeline');
        const dplan = planDestroy(doc, ctxFor(sb, dir));
        for (let k = 0; k < dplan.steps.length; k++) {
          await assert.rejects(
            destroyDocument(doc, {}, ctxFor(sb, dir, { failAtStep: k })),
            (e: unknown) => e instanceof ApplyFailure && e.code === 'step-failed',
          );
          assert.deepEqual(await hostDump(sb), applied, `host changed after a destroy failure at step ${k + 1}: ${dplan.steps[k].reason}`);
        }

        const d = await destroyDocument(doc, {}, ctxFor(sb, dir));
        assert.equal(d.matches, true);
        assert.deepEqual(await hostDump(sb), empty);
      });
    });
  });
}
