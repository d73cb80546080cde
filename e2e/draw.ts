/**
 * Drawing with the mouse only, as a new user would: palette items dragged onto the
 * canvas, veths drawn from a node's visible "+" handle onto another node. The
 * created objects keep the names the app gives them (nothing typed but addresses
 * and routes), read back from the inspector.
 */
import type { Page } from 'playwright-core';
import { tid } from './harness';
import { dropFromPalette, selectNode, setField } from './ui';

/** Drop a namespace at (x, y) of the canvas; returns the name the app gave it. */
export async function drawNamespace(page: Page, x: number, y: number): Promise<string> {
  await dropFromPalette(page, 'namespace', x, y);
  return page.locator(tid('inspector-name')).inputValue();
}

/** Drop a bridge onto empty canvas (it goes into host); returns its name. */
export async function drawBridge(page: Page, x: number, y: number): Promise<string> {
  await dropFromPalette(page, 'bridge', x, y);
  return page.locator(tid('inspector-name')).inputValue();
}

async function centreOf(page: Page, selector: string, dy?: number): Promise<{ x: number; y: number }> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  return { x: box.x + box.width / 2, y: dy === undefined ? box.y + box.height / 2 : box.y + dy };
}

/**
 * Hover `from`, press on its connection handle (`nr`: the namespace header's
 * right "+", `br` a bridge's), drag onto `to` and let go there: on its header
 * for a namespace, its middle for a bridge. Returns the new veth's edge count.
 */
export async function drawVeth(page: Page, from: string, to: string, handle = from.startsWith('br:') ? 'br' : 'nr'): Promise<number> {
  const edges = page.locator('[data-testid^="edge-veth:"]');
  const before = await edges.count();
  const source = tid(`node-${from}`);
  await page.locator(source).hover();
  const h = await centreOf(page, `${source} [data-handleid="${handle}"]`);
  const target = await centreOf(page, tid(`node-${to}`), to.startsWith('ns:') ? 17 : undefined);
  await page.mouse.move(h.x, h.y);
  await page.mouse.down();
  await page.mouse.move((h.x + target.x) / 2, (h.y + target.y) / 2, { steps: 5 });
  await page.mouse.move(target.x, target.y, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid^="edge-veth:"]').length === n, before + 1, { timeout: 5000 });
  return before + 1;
}

/** Give the selected namespace a default route via `via`. */
export async function addDefaultRoute(page: Page, ns: string, via: string): Promise<void> {
  await selectNode(page, `ns:${ns}`);
  await page.locator(tid('inspector-route-add')).click();
  await setField(page, 'route-via', via);
}
