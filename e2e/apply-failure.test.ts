/**
 * (d) An apply that fails: between plan and apply a conflicting interface is made
 * by hand; apply shows the error and the host stays as it was (apart from the
 * hand-made interface, which the product must not touch).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { hostDump } from '../testing/host-dump';
import { runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { e2eSkipReason, helperSkipReason, launchBrowser, startServe, tid } from './harness';
import { topology03 } from './reference';
import { openText, waitForApp } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping apply-failure e2e: ${skip}`);

describe('a failing apply', { skip }, () => {
  it('shows the error and leaves the host unchanged', async () => {
    await withSandbox('e2efail', async (sb) => {
      const state = mkdtempSync(join(tmpdir(), 'nst-e2e-state-'));
      const served = await startServe(sb, [], { NETNS_STUDIO_STATE_DIR: state });
      const b = await launchBrowser(sb);
      const { page } = b;
      try {
        await waitForApp(page, served.url);
        await openText(page, 'lab.yaml', stringify(topology03(sb.prefix)));
        await page.locator(tid('plan-button')).click();
        await page.waitForSelector(tid('plan-dialog'));
        // the conflict: an interface with a name the plan is about to create
        await runOk(['nsenter', `--net=/run/netns/${sb.hostNs}`, 'ip', 'link', 'add', 'name', 'veth2-br', 'type', 'veth', 'peer', 'name', 'e2e-hand']);
        const before = await hostDump(sb);
        await page.locator(tid('apply-button')).click();
        const error = page.locator(tid('apply-error'));
        await error.waitFor({ timeout: 60_000 });
        assert.ok(((await error.textContent()) ?? '').length > 0);
        assert.equal(await page.locator(tid('apply-done')).count(), 0);
        assert.deepEqual(await hostDump(sb), before);
      } finally {
        await b.close();
        await served.stop();
        rmSync(state, { recursive: true, force: true });
      }
    });
  });
});
