import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { hostEngine } from '../apply/engine';
import { ApplyFailure } from '../apply/failure';
import { sandboxWrap, scenarioDoc, withStateDir } from '../../testing/apply-support';
import { applyMethod, type ApplyProgressEvent } from './apply';
import { destroyMethod } from './destroy';
import { planMethod } from './plan';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping helper method tests: ${skip}`);

test('plan → apply (with progress events) → destroy dry run → destroy, in the shapes of shared/backend.ts', { skip }, async () => {
  await withSandbox('methods', async (sb) => {
    await withStateDir(async (dir) => {
      const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
      const empty = await hostDump(sb);
      const document = scenarioDoc('02-veth-to-host', sb);
      const plan = await planMethod({ document }, ctx);
      assert.equal(plan.summary.total, plan.steps.length);
      await assert.rejects(applyMethod({ document, planHash: '' }, ctx), (e: unknown) => e instanceof ApplyFailure && e.code === 'plan-stale');
      const events: ApplyProgressEvent[] = [];
      const r = await applyMethod({ document, planHash: plan.planHash }, ctx, (e) => events.push(e));
      assert.equal(r.applied, plan.steps.length);
      assert.equal(r.matches, true);
      assert.equal(events.at(-1)?.index, plan.steps.length);
      assert.ok(events.every((e) => e.phase === 'apply' && e.total === plan.steps.length && e.reason));
      const dry = await destroyMethod({ document, dryRun: true }, ctx);
      assert.ok('steps' in dry && dry.steps.length > 0);
      assert.notDeepEqual(await hostDump(sb), empty);
      await destroyMethod({ document }, ctx);
      assert.deepEqual(await hostDump(sb), empty);
    });
  });
});
