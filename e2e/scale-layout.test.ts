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
import { unavailableHelperLink } from '../server/helper-link';
import { startServer } from '../server/http-server';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { chromiumSkipReason, launchBrowser, tid, uiSkipReason } from './harness';
import { openText, waitForApp } from './ui';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping scale-layout e2e: ${skip}`);

/** Scenario 03 with `n` namespaces on br0. */
export function bridgeLan(n: number) {
  const names = Array.from({ length: n }, (_, i) => `ns${i + 1}`);
  return {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    metadata: { name: `lan-${n}` },
    namespaces: names.map((name) => ({ name, routes: [{ to: 'default', via: '10.0.0.1' }] })),
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.0.0.1/16'] }],
    veths: names.map((name, i) => ({
      ends: [
        { namespace: name, name: 'eth0', addresses: [`10.0.${(i + 2) >> 8}.${(i + 2) & 255}/16`] },
        { namespace: 'host', name: `v${i + 1}`, master: 'br0' },
      ],
    })),
  };
}

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

describe('readable at every size', { skip }, () => {
  it('10 and 200 namespaces: laid out without overlap, every full name visible at the fitted zoom, minimap drawn', async () => {
    assert.ok(ensureRenderer(RENDERER_DIR, (l) => console.log(l)), 'the UI builds');
    const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
    const b = await launchBrowser(undefined);
    const { page } = b;
    try {
      await waitForApp(page, srv.url);

      // 10: full nodes in the DOM
      await openText(page, 'lan-10.yaml', stringify(bridgeLan(10)));
      const canvas = (await page.locator(tid('canvas')).boundingBox())!;
      const inView = (r: { x: number; y: number; width: number; height: number }) => r.x >= canvas.x && r.y >= canvas.y && r.x + r.width <= canvas.x + canvas.width && r.y + r.height <= canvas.y + canvas.height;
      const readDom = () =>
        page.$$eval('.react-flow__node-namespace', (els) =>
          els.map((el) => {
            const r = el.getBoundingClientRect();
            const name = el.querySelector<HTMLElement>('[data-testid="ns-name"]')!;
            const nr = name.getBoundingClientRect();
            return { id: el.getAttribute('data-id')!, box: [r.x, r.y, r.width, r.height] as Box, name: name.textContent, clipped: name.scrollWidth > name.clientWidth, nameRect: { x: nr.x, y: nr.y, width: nr.width, height: nr.height }, fontPx: parseFloat(getComputedStyle(name).fontSize) };
          }),
        );
      const viewport = () => page.evaluate(() => document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform);
      let last = '';
      const settledRead = async <T,>(read: () => Promise<T>) => {
        const t = await viewport();
        const v = await read();
        const settled = t === last;
        last = t;
        return { settled, v };
      };
      const dom = await until(
        page,
        () => settledRead(readDom),
        (r) => r.settled && r.v.length === 11 && r.v.every((n) => inView({ x: n.box[0], y: n.box[1], width: n.box[2], height: n.box[3] })),
        'the 10-namespace graph laid out and fitted',
      ).then((r) => r.v);
      assertNoOverlap(dom);
      for (const n of dom) {
        assert.equal(n.name, n.id.slice(3), `${n.id} shows its name`);
        assert.equal(n.clipped, false, `${n.id}: the name is not cut`);
        assert.ok(inView(n.nameRect), `${n.id}: the name is on screen`);
      }
      const zoom10 = await page.evaluate(() => Number(/scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform)?.[1]));
      const font10 = dom[0].fontPx * zoom10;
      assert.ok(font10 >= 9, `legible: ${font10.toFixed(1)} px on screen`);
      assert.ok((await page.locator('.react-flow__minimap .react-flow__minimap-node').count()) >= 11, 'the minimap shows the graph');

      // 200: the overview layer draws them; its record of labels is read back
      await openText(page, 'lan-200.yaml', stringify(bridgeLan(200)));
      const readLabels = async () => JSON.parse((await page.locator(tid('overview-layer')).getAttribute('data-labels').catch(() => null)) ?? '[]') as Label[];
      const labels = await until(
        page,
        () => settledRead(readLabels),
        (r) => r.settled && r.v.length === 201 && r.v.some((x) => x.id === 'ns:ns200'),
        'the 200-namespace overview drawn at a settled zoom',
      ).then((r) => r.v);
      assertNoOverlap(labels);
      for (const l of labels) {
        assert.equal(l.text, l.name, `${l.id}: the full name is drawn, not "${l.text}"`);
        assert.ok(l.px >= 9, 'legible');
      }
      // and the whole graph is in view: the fit really fitted
      const t = await viewport();
      const [, tx, ty, z] = /translate\(([-\d.]+)px, ([-\d.]+)px\) scale\(([\d.]+)\)/.exec(t)!.map(Number);
      for (const l of labels) {
        const sx = canvas.x + tx + l.box[0] * z;
        const sy = canvas.y + ty + l.box[1] * z;
        assert.ok(inView({ x: sx, y: sy, width: l.box[2] * z, height: l.box[3] * z }), `${l.id} on screen`);
      }
      assert.equal(await page.locator(tid('minimap')).getAttribute('data-nodes'), '201', 'the overview minimap draws every box');
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
      await srv.close();
    }
  });
});
