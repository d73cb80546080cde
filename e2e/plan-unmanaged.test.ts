/**
 * A namespace made by hand: the live view's inspector offers to adopt it (no
 * editable fields with made-up values). A document over it: the plan dialog marks the step that
 * touches it as unmanaged; Apply is refused before any step, the dialog says the
 * host was not changed and which --allow would let the CLI go ahead; the host is
 * exactly as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { hostDump } from '../testing/host-dump';
import { runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { topology03 } from './reference';
import { openText } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping plan-unmanaged e2e: ${skip}`);

describe('plan over objects made by hand', { skip }, () => {
  it('live view offers adoption; the plan marks them, refuses to apply, says nothing changed and how to allow it', async () => {
    await withSandbox('e2eunm', async (sb) => {
      await runOk(['ip', 'netns', 'add', sb.ns('ns1')]); // by hand, before the app knows it (the sandbox removes it)
      await withServePage(sb, async ({ page }) => {
        // live view: the hand-made namespace is unmanaged; the inspector offers Adopt, not fields with made-up values
        await page.locator(tid('live-toggle')).click();
        await page.waitForSelector(`${tid(`node-ns:${sb.ns('ns1')}`)}[data-status="unmanaged"]`, { timeout: 10_000 });
        await page.locator(tid(`node-ns:${sb.ns('ns1')}`)).dispatchEvent('click');
        await page.locator(tid('inspector-unmanaged-note')).waitFor();
        assert.equal(await page.locator(tid('inspector-adopt')).count(), 1);
        assert.equal(await page.locator(tid('inspector-loopback')).count(), 0, 'no editable fields for an object not in the document');
        assert.equal(await page.locator(tid('inspector-delete')).count(), 0);
        await page.locator(tid('live-toggle')).click();

        await openText(page, 'lab.yaml', stringify(topology03(sb.prefix)));
        await page.locator(tid('plan-button')).click();
        await page.locator(tid('apply-button')).waitFor({ timeout: 60_000 });
        const marked = page.locator(`${tid('plan-step')}[data-unmanaged="true"]`);
        assert.ok((await marked.count()) >= 1, 'the step on the hand-made namespace is marked');
        assert.match((await marked.first().textContent()) ?? '', new RegExp(`unmanaged.*${sb.ns('ns1')}`));
        assert.match((await page.locator(tid('plan-summary')).textContent()) ?? '', /; \d+ touch(es an)? unmanaged objects?$/);

        // Apply would be refused: it is disabled and says why, with the keys to allow from a terminal
        const before = await hostDump(sb);
        assert.equal(await page.locator(tid('apply-button')).isDisabled(), true);
        const refusal = (await page.locator(tid('apply-refusal')).textContent()) ?? '';
        assert.match(refusal, /did not create/);
        assert.match(refusal, /Nothing was changed on the host/);
        assert.match(refusal, new RegExp(`--allow .*loopback:${sb.ns('ns1')}`));
        assert.equal(await page.locator(tid('apply-done')).count(), 0);
        assert.deepEqual(await hostDump(sb), before);
      });
    });
  });
});
