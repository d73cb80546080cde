/**
 * Two topologies applied from the app (browser mode, the real helper in a
 * sandbox): each file is its own topology, named after the file; the plan of the
 * second shows nothing of the first (its steps grouped under its own name, no
 * deletion); the list of applied topologies shows both in sync, and opening one
 * loads the document it was applied with.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Page } from 'playwright-core';
import { hostDump } from '../testing/host-dump';
import { withSandbox } from '../testing/sandbox';
import { scenarioDoc } from '../testing/apply-support';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { topology03 } from './reference';
import { openText } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping topologies e2e: ${skip}`);

async function planAndApply(page: Page): Promise<{ topology: string | null; steps: string[]; actions: string[]; groups: string[] }> {
  await page.locator(tid('plan-button')).click();
  await page.locator(tid('apply-button')).waitFor({ timeout: 60_000 });
  const topology = await page.locator(tid('plan-topology')).getAttribute('data-topology');
  const steps = await page.locator(tid('plan-step')).allTextContents();
  const actions = await page.locator(tid('plan-step')).evaluateAll((els) => els.map((e) => e.getAttribute('data-action') ?? ''));
  const groups = await page.locator(tid('plan-topology-group')).evaluateAll((els) => els.map((e) => e.getAttribute('data-topology') ?? ''));
  await page.locator(tid('apply-button')).click();
  await page.locator(tid('apply-done')).waitFor({ timeout: 60_000 });
  await page.locator(tid('plan-close')).click();
  return { topology, steps, actions, groups };
}

describe('many topologies from the app', { skip }, () => {
  it('two files applied: the second plan shows nothing of the first, the list shows both, one opens', async () => {
    await withSandbox('e2etopo', async (sb) => {
      // one state dir for the whole sequence (made and removed by withServePage): both topologies' records
      await withServePage(sb, async ({ page }) => {
        const empty = await hostDump(sb);

        await openText(page, 'lab-a.yaml', stringify(topology03(sb.prefix)));
        const a = await planAndApply(page);
        assert.equal(a.topology, 'lab-a');
        assert.deepEqual(a.groups, ['lab-a']);
        const afterA = await hostDump(sb);
        assert.notDeepEqual(afterA, empty);

        await openText(page, 'lab-b.yaml', stringify(scenarioDoc('06-client-server', sb)));
        const bPlan = await planAndApply(page);
        assert.equal(bPlan.topology, 'lab-b');
        assert.deepEqual(bPlan.groups, ['lab-b'], "every step is lab-b's own");
        assert.ok(!bPlan.actions.includes('delete'), 'nothing deleted');
        const ofA = [sb.ns('ns1'), sb.ns('ns2'), 'br0', 'veth1-br', 'veth2-br'];
        assert.deepEqual(
          bPlan.steps.filter((t) => ofA.some((n) => t.includes(n))),
          [],
          'no step touches lab-a',
        );
        // lab-a is still exactly there
        const both = await hostDump(sb);
        for (const ns of ['host', 'ns1', 'ns2']) {
          const keep = (d: typeof both) =>
            ns === 'host' ? Object.fromEntries(Object.entries(d.host.links).filter(([n]) => ['br0', 'veth1-br', 'veth2-br'].includes(n))) : d[ns];
          assert.deepEqual(keep(both), keep(afterA), `lab-a's ${ns} untouched`);
        }

        // a third file naming lab-a's namespace: refused before any step, saying whose it is
        await openText(page, 'lab-c.yaml', stringify({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: sb.ns('ns1') }] }));
        await page.locator(tid('plan-button')).click();
        await page.locator(tid('plan-error')).waitFor({ timeout: 60_000 });
        assert.equal(await page.locator(tid('plan-error')).getAttribute('data-code'), 'owned-elsewhere');
        assert.match(
          (await page.locator(tid('plan-error')).textContent()) ?? '',
          new RegExp(`netns:${sb.ns('ns1')}.* belongs? to topology "lab-a" \\(applied from lab-a\\.yaml at `),
        );
        assert.equal(await page.locator(tid('apply-button')).count(), 0, 'nothing to apply');
        await page.locator(tid('plan-close')).click();
        assert.deepEqual(await hostDump(sb), both);

        await page.locator(tid('topologies-button')).click();
        await page.locator(tid('topology-row')).first().waitFor({ timeout: 30_000 });
        const rows = await page.locator(tid('topology-row')).evaluateAll((els) => els.map((e) => [e.getAttribute('data-name'), e.getAttribute('data-state')]));
        assert.deepEqual(rows, [
          ['lab-a', 'in-sync'],
          ['lab-b', 'in-sync'],
        ]);
        assert.match((await page.locator(tid('topology-row')).first().textContent()) ?? '', /lab-a\.yaml.*in sync.*2 namespaces/);
        // destroy lab-b from the list: a dry run first, then only its objects go
        await page.locator(`${tid('topology-row')}[data-name="lab-b"] ${tid('topology-destroy')}`).click();
        await page.locator(tid('topology-destroy-confirm')).waitFor({ timeout: 30_000 });
        assert.match((await page.locator(tid('topology-destroy-confirm-box')).textContent()) ?? '', /Destroy topology lab-b: \d+ steps/);
        await page.locator(tid('topology-destroy-confirm')).click();
        await page.waitForFunction(() => document.querySelectorAll('[data-testid="topology-row"]').length === 1, undefined, { timeout: 60_000 });
        assert.equal(await page.locator(tid('topology-row')).getAttribute('data-name'), 'lab-a');
        assert.deepEqual(await hostDump(sb), afterA, 'lab-b gone, lab-a as it was');
        await page.locator(`${tid('topology-row')}[data-name="lab-a"] ${tid('topology-open')}`).click();
        // the document open now is the one just applied (saved state): Open goes ahead, or asks first when there are edits
        await page.waitForFunction(
          () => !document.querySelector('[data-testid="topologies-dialog"]') || !!document.querySelector('[data-testid="unsaved-dialog"]'),
          undefined,
          { timeout: 30_000 },
        );
        if (await page.locator(tid('unsaved-dialog')).count()) await page.locator(tid('unsaved-discard')).click();
        await page.locator(tid('topologies-dialog')).waitFor({ state: 'detached', timeout: 30_000 });
        assert.match((await page.locator(tid('file-name')).textContent()) ?? '', /lab-a\.yaml/);
        // the opened document carries its topology's name (nothing selected: the document inspector)
        assert.equal(await page.locator(tid('inspector-doc-topology-name')).inputValue(), 'lab-a');
        // the opened document is the applied one: planning it again has nothing to do
        await page.locator(tid('plan-button')).click();
        await page.locator(tid('plan-summary')).waitFor({ timeout: 60_000 });
        assert.match((await page.locator(tid('plan-summary')).textContent()) ?? '', /Nothing to do/);
        assert.equal(await page.locator(tid('plan-topology')).getAttribute('data-topology'), 'lab-a');
      });
    });
  });
});
