/**
 * A person's steps on the app's canvas, shared by renderer tests and e2e: open a
 * YAML file (the Open button, the file chooser) and click a box where it is drawn.
 * Both wait for the view to settle first: a file without positions is laid out, then
 * fitted (an animation), then the level of detail follows the zoom, and a click in
 * between lands on a box about to move or to leave the DOM for the overview layer.
 */
import type { Page } from 'playwright-core';

const tid = (id: string) => `[data-testid="${id}"]`;

/** The canvas is laid out, fitted and drawn at the level of detail of its zoom. */
export async function viewSettled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-testid="canvas"][data-layout="pending"], [data-testid="canvas"][data-view="moving"]'), null, {
    timeout: 30_000,
  });
}

/** Unsaved changes are dropped when the app asks (Don't Save); a refused file shows its error. */
export async function openText(page: Page, name: string, text: string): Promise<void> {
  const open = async () => {
    await page.locator(tid('file-open')).click();
    if (await page.locator(tid('unsaved-dialog')).count()) await page.locator(tid('unsaved-discard')).click();
  };
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), open()]);
  await chooser.setFiles({ name, mimeType: 'application/yaml', buffer: Buffer.from(text) });
  await page.waitForFunction(
    (n) => !!document.querySelector('[data-testid="notice-error"]') || (document.querySelector('[data-testid="file-name"]')?.textContent ?? '').includes(n),
    name,
    { timeout: 30_000 },
  );
  await viewSettled(page);
}

/**
 * Click the box of canvas node `id` (e.g. `ns:web`) where a person sees it: its DOM
 * node zoomed in, else the spot where the overview layer drew it (its record of drawn labels).
 */
export async function clickNode(page: Page, id: string): Promise<void> {
  await viewSettled(page);
  const node = page.locator(tid(`node-${id}`));
  if (await node.isVisible()) return node.click();
  const at = await page.evaluate((want) => {
    const vp = document.querySelector<HTMLElement>('.react-flow__viewport')!;
    const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(vp.style.transform);
    const [tx, ty, z] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 1];
    const layer = document.querySelector<HTMLElement>('[data-testid="overview-layer"]');
    const labels = JSON.parse(layer?.dataset.labels ?? '[]') as { id: string; box: [number, number, number, number] }[];
    const l = labels.find((x) => x.id === want);
    if (!l) return undefined;
    const c = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
    return { x: c.x + tx + (l.box[0] + l.box[2] / 2) * z, y: c.y + ty + (l.box[1] + l.box[3] / 2) * z };
  }, id);
  if (!at) throw new Error(`node ${id} is neither in the DOM nor drawn by the overview layer`);
  await page.mouse.click(at.x, at.y);
}
