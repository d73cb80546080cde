/**
 * Smoke test of the built UI in Debian's chromium, with no backend: drag a
 * namespace from the palette, see it on the canvas, edit it in the inspector,
 * undo/redo, export YAML and import it back. (The full e2e against the real
 * helper lives in e2e/.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';

const missing = chromiumMissing();
if (missing) console.log(`skipping the renderer smoke test: ${missing}`);

test('palette → canvas → inspector → undo/redo → export/import', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'none', consoleErrors: true }, async (page, problems) => {
    const tid = (id: string) => page.locator(`[data-testid="${id}"]`);
    assert.equal(await tid('helper-status').getAttribute('data-state'), 'none');

    await tid('palette-namespace').dragTo(tid('canvas'), { targetPosition: { x: 400, y: 300 } });
    await tid('node-ns:ns1').waitFor();
    await tid('inspector-name').fill('web');
    await tid('inspector-name').press('Enter');
    await tid('node-ns:web').waitFor();
    // inline validation as you type
    await tid('inspector-dns').fill('10.0.0.300');
    assert.match((await tid('inspector-error').first().textContent()) ?? '', /not an IP address/);
    await tid('inspector-dns').fill('10.0.0.53');
    await tid('inspector-dns').press('Enter');

    await tid('palette-veth').click(); // click-to-add: web? no: host ↔ host until edited
    await tid('inspector-end0-namespace').fill('web');
    await tid('inspector-end0-namespace').press('Enter');
    await tid('inspector-end0-addresses').fill('10.0.0.2/24');
    await tid('inspector-end0-addresses').press('Enter');
    await tid('port-web/veth0').waitFor();
    assert.equal(await tid('port-web/veth0').getAttribute('data-up'), 'true');
    await tid('edge-veth:web/veth0').waitFor({ state: 'attached' });

    // undo / redo through the toolbar and the keyboard
    const text = async () => (await tid('node-ns:web').textContent()) ?? '';
    assert.match(await text(), /10\.0\.0\.2\/24/);
    await tid('undo').click();
    assert.doesNotMatch(await text(), /10\.0\.0\.2/, 'undo takes the address back');
    await tid('undo').click();
    assert.equal(await tid('port-web/veth0').count(), 0, 'and then the move into web');
    await tid('redo').click();
    await tid('redo').click();
    assert.match(await text(), /10\.0\.0\.2\/24/);
    await page.locator('.react-flow__pane').click({ position: { x: 50, y: 50 } });
    await page.keyboard.press('Control+z');
    assert.doesNotMatch(await text(), /10\.0\.0\.2/, 'Ctrl+Z');
    await page.keyboard.press('Control+Shift+z');
    assert.match(await text(), /10\.0\.0\.2\/24/, 'Ctrl+Shift+Z');

    const [dl] = await Promise.all([page.waitForEvent('download'), tid('export-yaml').click()]);
    const yaml = readFileSync((await dl.path())!, 'utf8');
    assert.match(yaml, /name: web/);
    assert.match(yaml, /10\.0\.0\.2\/24/);

    await tid('file-new').click();
    await tid('unsaved-discard').click(); // the edits were exported, not saved: New asks first
    assert.equal(await tid('node-ns:web').count(), 0);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tid('file-open').click()]);
    await chooser.setFiles({ name: 'again.yaml', mimeType: 'application/yaml', buffer: Buffer.from(yaml) });
    await tid('node-ns:web').waitFor();
    await tid('port-web/veth0').waitFor();

    // a broken file shows located errors
    const [chooser2] = await Promise.all([page.waitForEvent('filechooser'), tid('file-open').click()]);
    await chooser2.setFiles({
      name: 'bad.yaml',
      mimeType: 'application/yaml',
      buffer: Buffer.from('apiVersion: netns-studio/v1\nkind: Topology\nnamespaces: [{name: a, bogus: 1}]\n'),
    });
    await tid('notice-error').waitFor();
    assert.match((await tid('notice-detail').textContent()) ?? '', /bad\.yaml:\d+/);

    assert.deepEqual(problems, []);
  });
});
