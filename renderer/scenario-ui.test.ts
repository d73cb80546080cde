/**
 * The UI steps of e2e/build-scenario-03 (bridge LAN), same viewport and drop points,
 * against the in-memory demo backend: checks the document they produce, so the UI
 * side of that e2e test is known to work before the real helper is involved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';
import { loadTopology } from '../shared/yaml/load';
import { validateTopology } from '../shared/validate/validate';

const missing = chromiumMissing();
if (missing) console.log(`skipping the scenario UI test: ${missing}`);

test('scenario 03 by drag and drop and typing: the document is the bridge LAN', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'demo', consoleErrors: true }, async (page, problems) => {
    const tid = (id: string) => `[data-testid="${id}"]`;
    const drop = (kind: string, x: number, y: number) => page.locator(tid(`palette-${kind}`)).dragTo(page.locator(tid('canvas')), { targetPosition: { x, y } });
    const set = async (field: string, value: string) => {
      await page.locator(tid(`inspector-${field}`)).fill(value);
      await page.locator(tid(`inspector-${field}`)).press('Enter');
    };
    await drop('bridge', 300, 150);
    await set('name', 'br0');
    await set('namespace', 'host');
    await set('addresses', '192.168.0.1/24');
    for (const i of [1, 2]) {
      await drop('namespace', 150 + 300 * i, 450);
      await set('name', `ns${i}`);
      await set('dns', '10.3.9.4');
      await drop('veth', 150 + 300 * i, 300);
      await set('end0-namespace', `ns${i}`);
      await set('end0-name', `veth${i}`);
      await set('end0-addresses', `192.168.0.${i + 1}/24`);
      await set('end1-namespace', 'host');
      await set('end1-name', `veth${i}-br`);
      await set('end1-master', 'br0');
      await page.locator(tid(`node-ns:ns${i}`)).click();
      await page.locator(tid('inspector-route-add')).click();
      await set('route-to', 'default');
      await set('route-via', '192.168.0.1');
      await set('route-dev', `veth${i}`);
    }
    const stray = page.locator('[data-testid^="node-ns:"]');
    await drop('namespace', 900, 700);
    const n = await stray.count();
    await page.locator(tid('undo')).click();
    assert.equal(await stray.count(), n - 1);
    await page.locator(tid('redo')).click();
    assert.equal(await stray.count(), n);
    await page.locator(tid('undo')).click();

    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(tid('export-yaml')).click()]);
    const loaded = loadTopology(readFileSync((await dl.path())!, 'utf8'));
    assert.ok(loaded.ok, JSON.stringify(loaded.errors));
    const doc = loaded.doc!;
    assert.deepEqual(
      validateTopology(doc).filter((i) => i.severity === 'error'),
      [],
    );
    assert.deepEqual(doc.namespaces.map((x) => x.name).sort(), ['ns1', 'ns2']);
    assert.deepEqual(
      doc.bridges.map((x) => [x.namespace, x.name, x.addresses]),
      [['host', 'br0', ['192.168.0.1/24']]],
    );
    const ends = doc.veths.map((v) => v.ends.map((e) => `${e.namespace}/${e.name}${e.master ? `@${e.master}` : ''} ${e.addresses.join(',')}`.trim()));
    assert.deepEqual(ends.sort(), [
      ['ns1/veth1 192.168.0.2/24', 'host/veth1-br@br0'],
      ['ns2/veth2 192.168.0.3/24', 'host/veth2-br@br0'],
    ]);
    for (const ns of doc.namespaces) {
      assert.deepEqual(ns.dns?.nameservers, ['10.3.9.4']);
      assert.deepEqual(ns.routes, [{ to: 'default', via: '192.168.0.1', dev: ns.name === 'ns1' ? 'veth1' : 'veth2' }]);
    }

    await page.locator(tid('plan-button')).click();
    await page.waitForSelector(tid('plan-dialog'));
    // the real planner on the demo host: ns1, ns2, br0 and their veths are there already, so the plan
    // adds what the form added (routes, resolv.conf) and leaves the stray old-test alone (not created
    // by Netns Studio, not in the document: never deleted), so nothing is refused and Apply runs
    const steps = await page.locator(`${tid('plan-dialog')} li.step`).allTextContents();
    assert.ok(steps.length > 0, 'the plan has steps');
    assert.ok(
      steps.every((t) => !t.includes('old-test')),
      `old-test is left alone: ${steps.join(' | ')}`,
    );
    assert.ok(
      steps.some((t) => /route .*default via 192\.168\.0\.1/.test(t)),
      `the default route is added: ${steps.join(' | ')}`,
    );
    await page.locator(tid('apply-button')).waitFor();
    assert.equal(await page.locator(tid('apply-button')).isDisabled(), false);
    assert.equal(await page.locator(tid('apply-refusal')).count(), 0);
    await page.locator(tid('apply-button')).click();
    await page.waitForSelector(tid('apply-done'));
    assert.deepEqual(problems, []);
  });
});
