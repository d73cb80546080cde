/**
 * The first run guides: on an empty canvas three ways in. "Open an example" lists
 * the shipped scenarios and opens one fitted into view; "Inspect this host" turns
 * the live view on (real helper, sandbox host) and fits the first picture; "New
 * topology" leaves an empty canvas at a zoom where things are readable.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { withSandbox } from '../testing/sandbox';
import { withUiPage, withServePage } from '../testing/serve-page';
import { chromiumSkipReason, e2eSkipReason, helperSkipReason, ROOT, tid, uiSkipReason } from './harness';
import { up03 } from './reference';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping first-run e2e: ${skip}`);
const liveSkip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (liveSkip) console.log(`skipping first-run live e2e: ${liveSkip}`);

/** every namespace box lies inside the canvas */
async function allInView(page: Page, ids: string[]): Promise<void> {
  const c = (await page.locator(tid('canvas')).boundingBox())!;
  await page.waitForFunction(
    ({ ids, c }) =>
      ids.every((id) => {
        const el = document.querySelector(`[data-testid="node-${id}"]`);
        const r = el?.getBoundingClientRect();
        return !!r && r.width > 0 && r.x >= c.x && r.y >= c.y && r.x + r.width <= c.x + c.width && r.y + r.height <= c.y + c.height;
      }),
    { ids, c },
    { timeout: 10_000 },
  );
}

describe('first run', () => {
  it('offers an example, a new topology and (with a helper) the host; an example opens fitted', { skip }, async () => {
    await withUiPage(async ({ page }) => {
      await page.locator(tid('first-run')).waitFor();
      for (const id of ['first-run-inspect', 'first-run-example', 'first-run-new']) assert.equal(await page.locator(tid(id)).count(), 1, id);
      await page.locator(tid('first-run-example')).click();
      const shipped = readdirSync(join(ROOT, 'fixtures', 'scenarios')).sort();
      assert.deepEqual(
        await page.locator('[data-testid^="example-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('example-'.length))),
        shipped,
      );
      await page.locator(tid('example-04-router-nat')).click();
      await allInView(page, ['ns:ns1', 'ns:ns2', 'ns:ns-router']);
      assert.equal(await page.locator(tid('first-run')).count(), 0);
      assert.match((await page.locator(tid('file-name')).textContent()) ?? '', /04-router-nat/);

      // New (toolbar): the empty canvas is fitted, not left at the example's zoom; the guide stays away
      await page.locator(tid('file-new')).click();
      await allInView(page, ['ns:host']);
      assert.equal(await page.locator(tid('first-run')).count(), 0);

      // a fresh start: "New topology" puts the guide away and leaves the canvas
      await page.reload();
      await page.locator(tid('first-run-new')).click();
      assert.equal(await page.locator(tid('first-run')).count(), 0);
      await allInView(page, ['ns:host']);
    });
  });

  it('"Inspect this host" turns the live view on and fits the first picture', { skip: liveSkip }, async () => {
    await withSandbox('e2efirst', async (sb) => {
      await up03(sb);
      await withServePage(sb, async ({ page }) => {
        await page.locator(tid('first-run-inspect')).click();
        assert.equal(await page.locator(tid('live-toggle')).getAttribute('aria-pressed'), 'true');
        await allInView(page, [`ns:${sb.ns('ns1')}`, `ns:${sb.ns('ns2')}`, 'ns:host']);
      });
    });
  });
});
