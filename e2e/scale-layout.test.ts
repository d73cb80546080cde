/**
 * Hosts of 10 and 200 namespaces on one host bridge (the bridge-LAN scenario,
 * scaled), opened as files without positions (as `discover` writes them): the app
 * lays them out and fits them. At the fitted zoom no two node boxes overlap and
 * every namespace's full name is drawn: read from the DOM when the nodes are in
 * it, from the overview layer's own record of drawn labels when zoomed out. The
 * minimap shows the graph at both sizes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { Page } from 'playwright-core';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer } from '../server/http-server';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { chromiumSkipReason, launchBrowser, tid, uiSkipReason } from './harness';
import { openText, waitForApp } from './ui';
import { bridgeLan } from './scale-hosts';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping scale-layout e2e: ${skip}`);

type Box = [number, number, number, number];
const overlaps = (a: Box, b: Box) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
function assertNoOverlap(boxes: { id: string; box: Box }[]) {
  for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) assert.ok(!overlaps(boxes[i].box, boxes[j].box), `${boxes[i].id} overlaps ${boxes[j].id}`);
}

interface Label {
  id: string;
  name: string;
  text: string;
  px: number;
  box: Box;
}

/** Wait until `read` gives a value `ok` accepts (the layout, then the fit, land asynchronously). */
async function until<T>(page: Page, read: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 400)}`);
    await page.waitForTimeout(100);
    v = await read();
  }
  return v;
}

interface Drawn {
  id: string;
  name: string;
  /** what a person sees of the name */
  shown: string;
  /** its size on screen */
  px: number;
  /** the node's box on screen */
  box: Box;
}

/**
 * Every namespace as drawn at this moment: from the DOM while the nodes are in it,
 * else from the overview layer's record of the labels it drew.
 */
async function drawn(page: Page): Promise<{ transform: string; mode: 'dom' | 'overview'; items: Drawn[] }> {
  return page.evaluate(() => {
    const vp = document.querySelector<HTMLElement>('.react-flow__viewport')!;
    const transform = vp.style.transform;
    const m = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(transform);
    const [tx, ty, z] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 1];
    const layer = document.querySelector<HTMLElement>('[data-testid="overview-layer"]');
    if (layer?.dataset.labels) {
      const c = document.querySelector('[data-testid="canvas"]')!.getBoundingClientRect();
      const labels = JSON.parse(layer.dataset.labels) as { id: string; name: string; text: string; px: number; box: [number, number, number, number] }[];
      return {
        transform,
        mode: 'overview' as const,
        items: labels.map((l) => ({ id: l.id, name: l.name, shown: l.text, px: l.px, box: [c.x + tx + l.box[0] * z, c.y + ty + l.box[1] * z, l.box[2] * z, Math.max(l.box[3] * z, l.px)] as [number, number, number, number] })),
      };
    }
    return {
      transform,
      mode: 'dom' as const,
      items: [...document.querySelectorAll<HTMLElement>('.react-flow__node-namespace')].map((el) => {
        const r = el.getBoundingClientRect();
        const name = el.querySelector<HTMLElement>('[data-testid="ns-name"]')!;
        return { id: el.dataset.id!, name: el.dataset.id!.slice(3), shown: name.scrollWidth > name.clientWidth ? '' : (name.textContent ?? ''), px: parseFloat(getComputedStyle(name).fontSize) * z, box: [r.x, r.y, r.width, r.height] as [number, number, number, number] };
      }),
    };
  });
}

async function checkReadable(page: Page, n: number): Promise<'dom' | 'overview'> {
  const canvas = (await page.locator(tid('canvas')).boundingBox())!;
  const inView = (b: Box) => b[0] >= canvas.x && b[1] >= canvas.y && b[0] + b[2] <= canvas.x + canvas.width && b[1] + b[3] <= canvas.y + canvas.height;
  // settled: the same view for half a second (the level of detail follows a zoom 150 ms after it stops)
  const recent: string[] = [];
  const seen = await until(
    page,
    async () => {
      const d = await drawn(page);
      recent.push(d.transform + d.mode);
      if (recent.length > 5) recent.shift();
      const settled = recent.length === 5 && recent.every((t) => t === recent[0]);
      return { settled, d };
    },
    (r) => r.settled && r.d.items.length === n + 1 && r.d.items.every((i) => inView(i.box)),
    `the ${n}-namespace graph laid out and fitted`,
  ).then((r) => r.d);
  assertNoOverlap(seen.items);
  const covers: Box[] = [];
  for (const sel of [tid('minimap'), '.react-flow__minimap', '.react-flow__controls']) {
    const c = await page.locator(sel).boundingBox().catch(() => null);
    if (c) covers.push([c.x, c.y, c.width, c.height]);
  }
  for (const i of seen.items) {
    assert.equal(i.shown, i.name, `${i.id}: the full name is visible, not "${i.shown}"`);
    assert.ok(i.px >= 9, `${i.id}: legible (${i.px.toFixed(1)} px on screen)`);
    for (const c of covers) assert.ok(!overlaps(i.box, c), `${i.id} is under an overlay`);
  }
  return seen.mode;
}

describe('readable at every size', { skip }, () => {
  it('10 and 200 namespaces: laid out without overlap, every full name visible at the fitted zoom, minimap drawn', async () => {
    assert.ok(ensureRenderer(RENDERER_DIR, (l) => console.log(l)), 'the UI builds');
    const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
    const b = await launchBrowser(undefined);
    const { page } = b;
    try {
      await waitForApp(page, srv.url);
      for (const n of [10, 200]) {
        const t0 = Date.now();
        await openText(page, `lan-${n}.yaml`, stringify(bridgeLan(n)));
        const mode = await checkReadable(page, n);
        console.log(`${n} namespaces: names read from the ${mode} (${Date.now() - t0} ms)`);
        const minimap = mode === 'overview' ? Number(await page.locator(tid('minimap')).getAttribute('data-nodes')) : await page.locator('.react-flow__minimap .react-flow__minimap-node').count();
        // (React Flow's minimap draws the bridge inside the host as its own shape)
        assert.ok(minimap >= n + 1, `the minimap draws every box (${minimap})`);
      }
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
      await srv.close();
    }
  });
});
