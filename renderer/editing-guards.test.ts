/**
 * What stops a person from losing or breaking their work, in Debian's chromium
 * with no backend: inspector drafts the check refuses are never committed (a
 * duplicate namespace name used to merge two namespaces), name checks are the
 * validator's, New/Open ask before dropping unsaved changes, Ctrl+S saves (from a field too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chromiumMissing } from '../testing/chromium';
import { withAppPage } from '../testing/app-page';

const missing = chromiumMissing();
if (missing) console.log(`skipping the editing-guards test: ${missing}`);

test('refused drafts stay out of the document; New/Open ask first; Ctrl+S saves', { skip: missing, timeout: 180_000 }, async () => {
  await withAppPage({ backend: 'none' }, async (page, problems) => {
    const tid = (id: string) => page.locator(`[data-testid="${id}"]`);
    const errors = async () => (await tid('inspector-error').allTextContents()).join(' | ');

    // two namespaces (a palette click adds one and selects it)
    await tid('palette-namespace').click();
    await tid('node-ns:ns1').waitFor();
    await tid('palette-namespace').click();
    await tid('node-ns:ns2').waitFor();

    // a duplicate name: the message shows, and Enter or leaving the field changes nothing
    const name = tid('inspector-name');
    await name.fill('ns1');
    assert.match(await errors(), /a namespace named ns1 exists/);
    await name.press('Enter');
    await name.blur();
    assert.equal(await tid('node-ns:ns2').count(), 1, 'ns2 was not renamed onto ns1');
    assert.equal(await page.locator('[data-testid^="node-ns:"]').count(), 3, 'host, ns1, ns2: nothing merged');
    assert.match(await errors(), /exists/, 'the refused draft keeps its message');
    await name.press('Escape');
    assert.equal(await name.inputValue(), 'ns2', 'Escape brings the saved name back');

    // the validator's name rules, as you type
    await name.fill('lab;rm');
    assert.match(await errors(), /namespace name "lab;rm" contains ";"/);
    await name.press('Enter');
    assert.equal(await tid('node-ns:lab;rm').count(), 0);
    await name.press('Escape');

    // NAT fields are checked as you type too (they used to take anything)
    await tid('inspector-nat-add').click();
    await tid('inspector-nat-source').fill('10.0.0.0/33');
    assert.match(await errors(), /10\.0\.0\.0\/33 is not an address or prefix/);
    await tid('inspector-nat-out').fill('a;b');
    assert.match(await errors(), /interface name "a;b" contains ";"/);
    await tid('inspector-nat-out').fill('veth+');
    assert.doesNotMatch(await errors(), /interface name/, 'iptables wildcard veth+ is fine');
    await tid('inspector-nat-source').press('Escape');
    await tid('inspector-nat-remove').click();

    // a veth end: a 16-byte interface name and a bad address are named and not committed
    await tid('palette-veth').click();
    await tid('inspector-end0-name').fill('sixteen-bytes-xx');
    assert.match(await errors(), /"sixteen-bytes-xx" is 16 bytes; the kernel allows at most 15/);
    await tid('inspector-end0-name').press('Enter');
    await tid('inspector-end0-addresses').fill('10.0.0.300/24');
    assert.match(await errors(), /10\.0\.0\.300 is not an IP address/);
    await tid('inspector-end0-addresses').press('Enter');
    assert.equal(await page.locator('[data-testid^="port-"][data-testid$="/sixteen-bytes-xx"]').count(), 0);
    assert.doesNotMatch(await page.locator('.react-flow').innerText(), /10\.0\.0\.300/);
    await tid('inspector-end0-name').press('Escape');
    await tid('inspector-end0-addresses').press('Escape');

    // unsaved changes: New asks; Cancel keeps the document
    assert.match((await tid('file-name').textContent()) ?? '', /^• /);
    const graph = async () =>
      (await page.locator('[data-testid^="node-"], [data-testid^="edge-veth"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))))
        .sort()
        .join(' ');
    const shown = await graph();
    assert.match(shown, /edge-veth:/, 'the veth (selected) is on the canvas');
    await tid('file-new').click();
    await tid('unsaved-dialog').waitFor();
    await page.keyboard.press('Delete'); // keys behind a dialog do not reach the document
    assert.equal(await graph(), shown, 'Delete behind the dialog did nothing');
    await page.keyboard.press('Control+z');
    assert.equal(await graph(), shown, 'Ctrl+Z behind the dialog did nothing');
    await tid('unsaved-cancel').click();
    assert.equal(await tid('unsaved-dialog').count(), 0);
    assert.equal(await tid('node-ns:ns2').count(), 1, 'Cancel keeps the document');

    // Ctrl+O asks too; Don't Save goes on to the file picker
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Control+o');
    await tid('unsaved-dialog').waitFor();
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), tid('unsaved-discard').click()]);
    const other = 'apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: other\n';
    await chooser.setFiles({ name: 'other.yaml', mimeType: 'application/yaml', buffer: Buffer.from(other) });
    await tid('node-ns:other').waitFor();
    assert.equal(await tid('node-ns:ns2').count(), 0);

    // Ctrl+S saves (a download here) instead of the browser's "Save page as"; then New does not ask
    await tid('palette-namespace').click();
    assert.match((await tid('file-name').textContent()) ?? '', /^• other\.yaml/);
    await tid('inspector-name').fill('typed-not-entered'); // Ctrl+S from inside the field saves what is typed
    const [dl] = await Promise.all([page.waitForEvent('download'), tid('inspector-name').press('Control+s')]);
    assert.equal(dl.suggestedFilename(), 'other.yaml');
    const saved = readFileSync((await dl.path())!, 'utf8');
    assert.match(saved, /name: other/);
    assert.match(saved, /name: typed-not-entered/);
    assert.equal(await tid('file-name').textContent(), 'other.yaml', 'saved: no unsaved mark');
    await tid('file-new').click();
    assert.equal(await tid('unsaved-dialog').count(), 0);
    assert.equal(await tid('node-ns:other').count(), 0, 'New went ahead without asking');

    assert.deepEqual(problems, []);
  });
});
