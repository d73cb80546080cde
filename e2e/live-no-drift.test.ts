/**
 * A freshly applied topology shows no drift in the live view: open scenario 04,
 * plan, apply through the real helper, turn the live view on: every box is in
 * sync. A sysctl the document leaves open (ip_forward=1 in ns1, as a namespace
 * inheriting it would have) is still no drift; a veth end set down with `ip`
 * shows its peer without carrier (admin up, operational not UP) and its
 * namespace drifted, with document value vs host value for the link and the route
 * the kernel dropped with it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { scenarioDoc } from '../testing/apply-support';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { openText, selectNode } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping live no-drift e2e: ${skip}`);

describe('live view after apply', { skip }, () => {
  it('a freshly applied topology is in sync; a link set down by hand is drifted with both values', async () => {
    await withSandbox('e2enodrift', async (sb) => {
      const doc = scenarioDoc('04-router-nat', sb);
      await withServePage(sb, async ({ page }) => {
        await openText(page, 'router.yaml', stringify(doc));
        await page.locator(tid('plan-button')).click();
        await page.locator(tid('apply-button')).click();
        await page.waitForSelector(tid('apply-done'), { timeout: 60_000 });
        assert.equal(await page.locator(tid('apply-not-ready')).count(), 0, 'apply waited until the network was usable');
        await page.locator(tid('plan-close')).click();
        await page.locator(tid('live-toggle')).click();
        const ids = ['ns1', 'ns2', 'ns-router'].map((n) => `node-ns:${sb.ns(n)}`);
        for (const id of ids) {
          await page.waitForSelector(`${tid(id)}[data-status]`, { timeout: 10_000 });
          assert.equal(await page.locator(tid(id)).getAttribute('data-status'), 'in-sync', `${id} right after apply`);
        }

        // first a sysctl the document does not set, then (same namespace, so seen after it) a link down
        await runOk(['ip', 'netns', 'exec', sb.ns('ns1'), 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
        await runOk(['ip', '-n', sb.ns('ns1'), 'link', 'set', 'dev', 'veth-ns1', 'down']);
        const peer = `port-${sb.ns('ns-router')}/veth-router1`;
        // DOWN or LOWERLAYERDOWN, as the kernel reports a veth whose peer is down
        await page.waitForSelector(`${tid(peer)}[data-oper]:not([data-oper="UP"])`, { timeout: 5000 });
        assert.equal(await page.locator(tid(peer)).getAttribute('data-up'), 'true', 'admin state stays up');
        assert.equal(await page.locator(`${tid(peer)} .dot`).getAttribute('class'), 'dot no-carrier');
        await page.waitForSelector(`${tid(`node-ns:${sb.ns('ns1')}`)}[data-status="drifted"]`, { timeout: 5000 });
        await selectNode(page, `ns:${sb.ns('ns1')}`);
        const row = page.locator(`${tid('inspector-drift-row')}[data-field="${sb.ns('ns1')}/veth-ns1 state"]`);
        await row.waitFor();
        assert.equal(await row.locator(tid('inspector-drift-doc')).textContent(), 'up');
        assert.equal(await row.locator(tid('inspector-drift-host')).textContent(), 'down');
        // the kernel dropped the default route with the link: that is drift too; ip_forward, which the document leaves open, is not
        assert.deepEqual(
          await page.locator(tid('inspector-drift-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-field')).sort()),
          ['route default', `${sb.ns('ns1')}/veth-ns1 state`].sort(),
        );
        const route = page.locator(`${tid('inspector-drift-row')}[data-field="route default"]`);
        assert.equal(await route.locator(tid('inspector-drift-doc')).textContent(), 'default via 192.168.1.254');
        assert.equal(await route.locator(tid('inspector-drift-host')).textContent(), '(none)');
      });
    });
  });
});
