/**
 * The live view in the built UI (Debian's chromium, the in-memory demo backend):
 * a port set up whose peer is down shows "no carrier" apart from its admin state;
 * an adopted namespace is in sync; a field then changed in the document makes it
 * drifted, and the inspector shows the document value beside the host value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';

const missing = chromiumMissing();
if (missing) console.log(`skipping the live drift UI test: ${missing}`);

test('live view: admin vs operational port state; drift shows document value vs host value', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'demo' }, async (page, problems) => {
    const tid = (id: string) => `[data-testid="${id}"]`;
    await page.locator(tid('live-toggle')).click();
    await page.waitForSelector(tid('node-ns:old-test'));

    // the demo host: old-test/eth0 set down, so its peer host/old-h is up without carrier
    const hostEnd = page.locator(tid('port-host/old-h'));
    await page.waitForSelector(`${tid('port-host/old-h')}[data-oper="LOWERLAYERDOWN"]`);
    assert.equal(await hostEnd.getAttribute('data-up'), 'true', 'admin state: up');
    assert.equal(await hostEnd.locator('.dot').getAttribute('class'), 'dot no-carrier');
    assert.match((await hostEnd.locator('.dot').getAttribute('aria-label')) ?? '', /up, no carrier \(LOWERLAYERDOWN\)/);
    const down = page.locator(tid('port-old-test/eth0'));
    assert.equal(await down.getAttribute('data-up'), 'false');
    assert.equal(await down.getAttribute('data-oper'), 'DOWN');

    // adopt ns1 (with its veth to host): in sync; then the document asks for a route the host lacks
    await page.locator(tid('node-ns:ns1')).click();
    await page.locator(tid('inspector-adopt')).click();
    await page.waitForSelector(`${tid('node-ns:ns1')}[data-status="in-sync"]`);
    assert.equal(await page.locator(tid('inspector-drift')).count(), 0);
    await page.locator(tid('inspector-route-add')).click();
    await page.locator(tid('inspector-route-to')).fill('10.9.0.0/16');
    await page.locator(tid('inspector-route-to')).press('Enter');
    await page.locator(tid('inspector-route-via')).fill('192.168.0.1');
    await page.locator(tid('inspector-route-via')).press('Enter');
    await page.waitForSelector(`${tid('node-ns:ns1')}[data-status="drifted"]`);
    const row = page.locator(`${tid('inspector-drift-row')}[data-field="route 10.9.0.0/16"]`);
    await row.waitFor();
    assert.equal(await row.locator(tid('inspector-drift-doc')).textContent(), '10.9.0.0/16 via 192.168.0.1');
    assert.equal(await row.locator(tid('inspector-drift-host')).textContent(), '(none)');
    assert.deepEqual(problems, []);
  });
});
