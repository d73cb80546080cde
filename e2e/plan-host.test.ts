/**
 * Host exposure in the plan dialog (issue 15): a forwarder listening on every
 * address of the host is marked "touches the host", listed by a checkbox that
 * names it, and Apply stays disabled until the box is ticked; ticked, the helper
 * (which checks `allowHost` itself) applies it and the port listens. Destroyed
 * through the CLI afterwards. In a sandbox, on a high random port.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { withServePage } from '../testing/serve-page';
import { TRUSTED_CLI } from '../testing/trust-env';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { openText } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping plan-host e2e: ${skip}`);

describe('plan steps that touch the host', { skip }, () => {
  it('are named beside a checkbox; Apply waits for it; then the helper applies them', async () => {
    await withSandbox('e2ehost', async (sb) => {
      const dir = mkdtempSync(join(tmpdir(), 'nst-e2e-host-'));
      const env = { NETNS_STUDIO_STATE_DIR: join(dir, 'state'), NETNS_STUDIO_FORWARDERS_DIR: join(dir, 'fw') };
      const port = 20_000 + Math.floor(Math.random() * 20_000);
      const text = `apiVersion: netns-studio/v1\nkind: Topology\nforwarders:\n  - { name: ${sb.prefix}open, protocol: tcp, listen: { namespace: host, address: 0.0.0.0, port: ${port} }, target: { namespace: host, address: 127.0.0.1, port: 22 } }\n`;
      const listening = async () => (await sb.inHost(['ss', '-Hltn', `sport = :${port}`])).stdout.trim();
      try {
        await withServePage(
          sb,
          async ({ page, served }) => {
            await openText(page, 'open.yaml', text);
            await page.locator(tid('plan-button')).click();
            await page.locator(tid('apply-button')).waitFor({ timeout: 60_000 });
            assert.equal(await page.locator(`${tid('plan-step')}[data-touches-host="true"]`).count(), 1);
            const named = (await page.locator(tid('plan-host-step')).textContent()) ?? '';
            assert.match(named, new RegExp(`listens on the host at 0\\.0\\.0\\.0:${port}`));
            assert.equal(await page.locator(tid('apply-button')).isDisabled(), true, 'Apply waits for the checkbox');

            await page.locator(tid('plan-allow-host')).check();
            await page.locator(tid('apply-button')).click();
            await page.locator(tid('apply-done')).waitFor({ timeout: 60_000 });
            // it went through only once the person at serve's terminal typed the code shown there (the harness does)
            assert.match(served.output(), /a browser asks root to act on this host\. Apply "[^"]+": 1 step/);
            assert.match(served.output(), new RegExp(`forwarder-start .*touches the host: .*0\\.0\\.0\\.0:${port}`));
            assert.match(served.output(), /confirmed [A-Z0-9]{5} \(Apply\)/);
            assert.match(await listening(), new RegExp(`:${port}\\b`));
          },
          { env },
        );
      } finally {
        // serve has stopped: the CLI destroys what the app applied (its forwarder), from the same state
        const file = join(dir, 'open.yaml');
        writeFileSync(file, text);
        const destroy = await run([
          'nsenter',
          `--net=/run/netns/${sb.hostNs}`,
          '/usr/bin/env',
          `NETNS_STUDIO_FORWARDERS_DIR=${env.NETNS_STUDIO_FORWARDERS_DIR}`,
          process.execPath,
          join(import.meta.dirname, '..', 'bin', 'netns-studio.mjs'),
          TRUSTED_CLI,
          'destroy',
          file,
          '--yes',
          '--state-dir',
          env.NETNS_STUDIO_STATE_DIR,
        ]);
        rmSync(dir, { recursive: true, force: true });
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
      }
      assert.equal(await listening(), '');
    });
  });
});
