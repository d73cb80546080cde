/**
 * The reachability panel in the browser (demo backend, Debian's chromium): a
 * design opened from file shows its matrix before any apply; selecting a pair
 * highlights its path on the canvas (the router's node outlined, the veth edges
 * drawn in the path colour); a pair that fails shows its reason and fix and
 * marks the failing namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';
import { SCENARIO_DIR } from '../testing/scenarios';

const missing = chromiumMissing();
if (missing) console.log(`skipping the reach panel test: ${missing}`);

test('reach panel: matrix of a design, path highlighted, failing hop with reason and fix', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'demo' }, async (page, problems) => {
    const tid = (id: string) => `[data-testid="${id}"]`;
    const open = async (scenario: string) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator(tid('file-open')).click()]);
      await chooser.setFiles(join(SCENARIO_DIR, scenario, 'topology.yaml'));
      await page.waitForSelector(tid(`node-ns:ns1`));
    };
    await open('04-router-nat');
    await page.locator(tid('reach-open')).click();
    const rows = page.locator(tid('reach-row'));
    assert.equal(await rows.count(), 8);
    assert.deepEqual(new Set(await rows.evaluateAll((r) => r.map((x) => x.getAttribute('data-predicted')))), new Set(['ok']));
    await page.locator('[data-testid="reach-row"][data-from="ns1"][data-to="192.168.2.1"]').click();
    const css = await page.locator(tid('reach-highlight')).textContent();
    for (const id of ['ns:ns1', 'ns:ns-router', 'ns:ns2', 'veth:ns1/veth-ns1', 'veth:ns2/veth-ns2']) assert.ok(css?.includes(`"${id}"`), `${id} highlighted`);
    const outline = await page.locator('.react-flow__node[data-id="ns:ns-router"]').evaluate((n) => getComputedStyle(n).outlineStyle);
    assert.equal(outline, 'solid', 'the router on the path is outlined on the canvas');
    const stroke = await page.locator('.react-flow__edge[data-id="veth:ns2/veth-ns2"] path').first().evaluate((p) => getComputedStyle(p).strokeWidth);
    assert.equal(stroke, '4px');

    await page.locator(tid('reach-close')).click();
    await open('01-gost-forwarders');
    await page.locator(tid('reach-open')).click();
    await page.locator('[data-testid="reach-row"][data-from="ns1"][data-to="10.0.1.1"]').click();
    assert.match((await page.locator(tid('reach-failure')).textContent()) ?? '', /ns1 has no route to 10\.0\.1\.1.*fix:.*routes/s);
    const failColour = await page.locator('.react-flow__node[data-id="ns:ns1"]').evaluate((n) => getComputedStyle(n).outlineColor);
    assert.equal(failColour, 'rgb(214, 40, 40)', 'the failing namespace is marked');
    assert.deepEqual(problems, []);
  });
});
