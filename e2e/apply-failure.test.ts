/**
 * (d) An apply that fails part-way: the helper is started with the test-only fault
 * injection (NETNS_STUDIO_TEST_FAIL_AT_STEP in its environment, which no request
 * can set: helper/methods/apply-context.ts), so some steps really run before the
 * "failing" one. The dialog shows the failing step and the kernel's text and says
 * the host was rolled back; the host is exactly as before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { hostDump } from '../testing/host-dump';
import { withSandbox } from '../testing/sandbox';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { topology03 } from './reference';
import { openText } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping apply-failure e2e: ${skip}`);

/** a step well inside scenario 03's plan: namespaces and links exist by then, so rollback has work to do */
const FAIL_AT = 6;

describe('a failing apply', { skip }, () => {
  it('shows the failing step and the error, rolls back, leaves the host unchanged', async () => {
    await withSandbox('e2efail', async (sb) => {
      // its own state dir (made and removed by withServePage): the journal of this failed apply stays out of others' way
      await withServePage(
        sb,
        async ({ page }) => {
          await openText(page, 'lab.yaml', stringify(topology03(sb.prefix)));
          await page.locator(tid('plan-button')).click();
          await page.waitForSelector(tid('plan-dialog'));
          await page.locator(tid('apply-button')).waitFor();
          const steps = await page.locator(tid('plan-step')).count();
          assert.ok(steps > FAIL_AT + 1, `the plan has more than ${FAIL_AT + 1} steps (${steps})`);
          const before = await hostDump(sb);
          await page.locator(tid('apply-button')).click();
          const error = page.locator(tid('apply-error'));
          await error.waitFor({ timeout: 60_000 });
          const text = (await error.textContent()) ?? '';
          assert.match(text, /Apply failed/);
          assert.match(text, /injected failure/, 'the (injected) kernel text is shown');
          const named = /Step (\d+) in /.exec(text);
          assert.ok(named, 'the failing step is named');
          // the highlighted step is the one named (each step shows its number in the whole plan)
          const failed = page.locator(`${tid('plan-step')}.failed`);
          assert.equal(await failed.count(), 1);
          assert.equal(await failed.getAttribute('value'), named[1]);
          assert.match(text, new RegExp(`step ${named[1]} of`), "the helper's own message counts the same way");
          await page.locator(tid('apply-rolled-back')).waitFor();
          assert.equal(await page.locator(tid('apply-done')).count(), 0);
          assert.deepEqual(await hostDump(sb), before);
        },
        { env: { NETNS_STUDIO_TEST_FAIL_AT_STEP: String(FAIL_AT) } },
      );
    });
  });
});
