/**
 * A broken file opened in the browser: its problems are listed with
 * file:line:column, and a click on one selects the object it is about on the
 * canvas, which is marked (a namespace declared twice is drawn as its own box).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { withUiPage } from '../testing/serve-page';
import { chromiumSkipReason, ROOT, tid, uiSkipReason } from './harness';
import { openText } from './ui';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping problems e2e: ${skip}`);

const fixture = (f: string) => readFileSync(join(ROOT, 'fixtures', 'invalid', f), 'utf8');

describe('problems located', { skip }, () => {
  it("a broken file's problem names file:line:column; a click selects and marks its object", async () => {
    await withUiPage(async ({ page }) => {
      await openText(page, 'duplicate-namespace.yaml', fixture('duplicate-namespace.yaml'));
      const problem = page.locator(tid('problem'));
      await problem.first().waitFor();
      assert.equal(await problem.count(), 1);
      assert.match((await problem.textContent()) ?? '', /^duplicate-namespace\.yaml:7:\d+ namespace "ns1" is declared twice/);
      const dup = page.locator(tid('node-ns:ns1~2'));
      assert.match((await dup.getAttribute('data-problem')) ?? '', /declared twice/, 'the second declaration is drawn and marked');
      assert.doesNotMatch((await dup.getAttribute('class')) ?? '', /\bselected\b/);
      await problem.click();
      await page.waitForSelector(`${tid('node-ns:ns1~2')}.selected`, { timeout: 5000 });
      assert.equal(await page.locator(tid('node-ns:ns1')).evaluate((el) => el.classList.contains('selected')), false, 'only the duplicate');

      await openText(page, 'veth-same-address.yaml', fixture('veth-same-address.yaml'));
      await page.waitForSelector(`${tid('problem')}[data-code="veth-same-address"]`);
      assert.match((await problem.textContent()) ?? '', /^veth-same-address\.yaml:10:\d+ address 10\.0\.0\.1 is on both ends/);
      await problem.click();
      // attached, not visible: a straight horizontal edge has a zero-height box
      await page.waitForSelector(`${tid('edge-veth:ns1/veth1')}.selected.has-problem`, { timeout: 5000, state: 'attached' });
      // the inspector shows the selected veth
      await page.locator(tid('inspector-end1-addresses')).waitFor();
    });
  });
});
