/**
 * Steps a person takes in the UI, by data-testid (renderer/TESTIDS.md; proposal in
 * ./NEEDS.md). Kept here so a renamed test id is fixed in one place.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { tid } from './harness';

export { clickNode, openText, viewSettled } from '../testing/canvas-ui';

export { waitForApp } from '../testing/serve-page';

/** Drag a palette item onto the canvas at (x, y) of the canvas. */
export async function dropFromPalette(page: Page, kind: 'namespace' | 'bridge' | 'veth' | 'forwarder', x: number, y: number): Promise<void> {
  await page.locator(tid(`palette-${kind}`)).dragTo(page.locator(tid('canvas')), { targetPosition: { x, y } });
}

/** Select a node. Nodes may overlap (a bridge drawn over a namespace box): the click goes to the node itself. */
export async function selectNode(page: Page, nodeId: string): Promise<void> {
  await page.locator(tid(`node-${nodeId}`)).dispatchEvent('click');
}

/** Type into an inspector field and commit it (Enter), as a person would. */
export async function setField(page: Page, field: string, value: string): Promise<void> {
  const input = page.locator(tid(`inspector-${field}`));
  await input.fill(value);
  await input.press('Enter');
}

/** Click an export button; returns the downloaded file's name and text. */
export async function exportText(page: Page, kind: 'yaml' | 'shell' | 'gost' | 'svg'): Promise<{ name: string; text: string }> {
  const button = page.locator(tid(`export-${kind}`));
  const [dl] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: dl.suggestedFilename(), text: await readFile((await dl.path())!, 'utf8') };
}

/** Scenario 03 (bridge LAN) drawn and typed as a person would; namespaces named `${prefix}ns1/2`. */
export async function buildScenario03(page: Page, prefix: string): Promise<void> {
  await dropFromPalette(page, 'bridge', 300, 150);
  await setField(page, 'name', 'br0');
  await setField(page, 'namespace', 'host');
  await setField(page, 'addresses', '192.168.0.1/24');
  for (const i of [1, 2]) {
    await dropFromPalette(page, 'namespace', 150 + 300 * i, 450);
    await setField(page, 'name', `${prefix}ns${i}`);
    await setField(page, 'dns', '10.3.9.4');
    await dropFromPalette(page, 'veth', 150 + 300 * i, 300);
    await setField(page, 'end0-namespace', `${prefix}ns${i}`);
    await setField(page, 'end0-name', `veth${i}`);
    await setField(page, 'end0-addresses', `192.168.0.${i + 1}/24`);
    await setField(page, 'end1-namespace', 'host');
    await setField(page, 'end1-name', `veth${i}-br`);
    await setField(page, 'end1-master', 'br0');
    await selectNode(page, `ns:${prefix}ns${i}`);
    await page.locator(tid('inspector-route-add')).click();
    await setField(page, 'route-to', 'default');
    await setField(page, 'route-via', '192.168.0.1');
    await setField(page, 'route-dev', `veth${i}`);
  }
}

/** Undo/redo of one edit (a stray namespace), checked on the canvas; leaves it undone. */
export async function checkUndoRedo(page: Page): Promise<{ before: number; dropped: number; undone: number; redone: number; final: number }> {
  const nodes = page.locator('[data-testid^="node-ns:"]');
  const before = await nodes.count();
  await dropFromPalette(page, 'namespace', 900, 700);
  const dropped = await nodes.count();
  await page.locator(tid('undo')).click();
  const undone = await nodes.count();
  await page.locator(tid('redo')).click();
  const redone = await nodes.count();
  await page.locator(tid('undo')).click();
  return { before, dropped, undone, redone, final: await nodes.count() };
}
