/**
 * (a) Build scenario 03 (bridge LAN) by drag and drop and typing in the inspector,
 * with undo/redo on the way.
 *  1. the drawn document is scenario 03 (checked through the UI's own YAML export);
 *  2. plan and apply through the real helper: the sandbox host then equals what the
 *     reference script builds, and the scenario's reachability holds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { Topology } from '../shared/model/schema';
import { hostDump } from '../testing/host-dump';
import { withSandbox } from '../testing/sandbox';
import { withUiPage } from '../testing/serve-page';
import { chromiumSkipReason, e2eSkipReason, helperSkipReason, launchBrowser, startServe, tid, uiSkipReason } from './harness';
import { REACH_03, topology03, unreachable, up03 } from './reference';
import { buildScenario03, checkUndoRedo, exportText, waitForApp } from './ui';

/** The network facts of a document (no layout, no metadata), defaults filled in. */
const facts = (doc: unknown) => {
  const { layout: _l, metadata: _m, ...rest } = Topology.parse(doc);
  return rest;
};

const drawSkip = chromiumSkipReason() ?? uiSkipReason();
if (drawSkip) console.log(`skipping scenario-03 drawing e2e: ${drawSkip}`);
const applySkip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (applySkip) console.log(`skipping scenario-03 apply e2e: ${applySkip}`);

describe('build scenario 03 in the UI', () => {
  it('drag, type, undo/redo: the drawn document is scenario 03', { skip: drawSkip }, async () => {
    await withUiPage(async ({ page }) => {
      await buildScenario03(page, 'lab-');
      const u = await checkUndoRedo(page);
      assert.deepEqual(u, { before: u.before, dropped: u.before + 1, undone: u.before, redone: u.before + 1, final: u.before });
      const y = await exportText(page, 'yaml');
      assert.deepEqual(facts(parse(y.text)), facts(topology03('lab-')));
    });
  });

  it('plan and apply: host equals the reference build, reachability holds', { skip: applySkip }, async () => {
    const reference = await withSandbox('e2eref', async (sb) => {
      await up03(sb);
      return hostDump(sb);
    });
    await withSandbox('e2e03', async (sb) => {
      const state = mkdtempSync(join(tmpdir(), 'nst-e2e-state-'));
      const served = await startServe(sb, [], { NETNS_STUDIO_STATE_DIR: state });
      const b = await launchBrowser(sb);
      const { page } = b;
      try {
        await waitForApp(page, served.url);
        await buildScenario03(page, sb.prefix);
        // the plan follows undo/redo: a stray namespace shows up in it, and is gone after undo
        const planSteps = async () => {
          await page.locator(tid('plan-button')).click();
          await page.locator(tid('apply-button')).waitFor();
          return page.locator(tid('plan-step')).allTextContents();
        };
        const closePlan = () => page.locator(tid('plan-close')).click();
        const first = await planSteps();
        // the dialog lists the real helper's plan: the exact commands, by namespace
        assert.ok(first.length > 10, first.join('\n'));
        assert.ok(
          first.some((t) => t.includes(`ip netns add ${sb.ns('ns1')}`)),
          first.join('\n'),
        );
        await closePlan();
        const u = await checkUndoRedo(page); // drop, undo, redo, undo
        assert.deepEqual(u, { before: u.before, dropped: u.before + 1, undone: u.before, redone: u.before + 1, final: u.before });
        await page.locator(tid('redo')).click();
        const withStray = await planSteps();
        assert.ok(withStray.length > first.length, 'the redone namespace is planned');
        await closePlan();
        await page.locator(tid('undo')).click();
        const again = await planSteps();
        assert.deepEqual(again, first, 'undone: the same plan as before');
        await page.locator(tid('apply-button')).click();
        await page.waitForSelector(tid('apply-done'), { timeout: 60_000 });
        assert.equal(await page.locator(tid('apply-error')).count(), 0);
        assert.deepEqual(await hostDump(sb), reference);
        assert.deepEqual(await unreachable(sb, REACH_03), []);
        assert.deepEqual(b.problems, []);
      } finally {
        await b.close();
        await served.stop();
        rmSync(state, { recursive: true, force: true });
      }
    });
  });
});
