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
import { withUiPage } from '../testing/serve-page';
import { chromiumSkipReason, tid, uiSkipReason } from './harness';
import { openText, viewSettled } from './ui';
import { bridgeLan, chain } from './scale-hosts';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping scale-layout e2e: ${skip}`);

type Box = [number, number, number, number];
const overlaps = (a: Box, b: Box) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
function assertNoOverlap(boxes: { id: string; box: Box }[]) {
  for (let i = 0; i < boxes.length; i++) for (let j = 0; j < i; j++) assert.ok(!overlaps(boxes[i].box, boxes[j].box), `${boxes[i].id} overlaps ${boxes[j].id}`);
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
        items: labels.map((l) => ({
          id: l.id,
          name: l.name,
          shown: l.text,
          px: l.px,
          box: [c.x + tx + l.box[0] * z, c.y + ty + l.box[1] * z, l.box[2] * z, Math.max(l.box[3] * z, l.px)] as [number, number, number, number],
        })),
      };
    }
    return {
      transform,
      mode: 'dom' as const,
      items: [...document.querySelectorAll<HTMLElement>('.react-flow__node-namespace')].map((el) => {
        const r = el.getBoundingClientRect();
        const name = el.querySelector<HTMLElement>('[data-testid="ns-name"]')!;
        return {
          id: el.dataset.id!,
          name: el.dataset.id!.slice(3),
          shown: name.scrollWidth > name.clientWidth ? '' : (name.textContent ?? ''),
          px: parseFloat(getComputedStyle(name).fontSize) * z,
          box: [r.x, r.y, r.width, r.height] as [number, number, number, number],
        };
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
    const c = await page
      .locator(sel)
      .boundingBox()
      .catch(() => null);
    if (c) covers.push([c.x, c.y, c.width, c.height]);
  }
  for (const i of seen.items) {
    assert.equal(i.shown, i.name, `${i.id}: the full name is visible, not "${i.shown}"`);
    assert.ok(i.px >= 9, `${i.id}: legible (${i.px.toFixed(1)} px on screen)`);
    for (const c of covers) assert.ok(!overlaps(i.box, c), `${i.id} is under an overlay`);
  }
  assertAroundHub(seen.items, n >= 100 ? 20 : 1);
  return seen.mode;
}

/** The bridge's members sit on every side of the host (the hub), not in a column beside it. */
function assertAroundHub(items: Drawn[], atLeast: number) {
  const host = items.find((i) => i.id === 'ns:host')!;
  const [hx, hy, hw, hh] = host.box;
  const sides = { left: 0, right: 0, above: 0, below: 0 };
  for (const i of items) {
    if (i === host) continue;
    const [x, y, w, h] = i.box;
    if (x + w <= hx) sides.left++;
    if (x >= hx + hw) sides.right++;
    if (y + h <= hy) sides.above++;
    if (y >= hy + hh) sides.below++;
  }
  for (const [side, count] of Object.entries(sides)) assert.ok(count >= atLeast, `members ${side} the hub: ${count} (${JSON.stringify(sides)})`);
}

/** The host is a region holding its own objects: its bridge and every member chip lie inside it, no namespace does. */
async function assertHostRegion(page: Page, bridge: string) {
  const r = await page.evaluate((bridge) => {
    // (no named functions in here: tsx would wrap them in a helper the page does not have)
    const host = document.querySelector('[data-testid="node-ns:host"]')!;
    const hb = host.getBoundingClientRect();
    return {
      host: [hb.x, hb.y, hb.width, hb.height] as [number, number, number, number],
      region: host.classList.contains('host'),
      inside: [...document.querySelectorAll(`[data-testid="node-${bridge}"], [data-testid^="port-host/"]`)].map((el) => {
        const b = el.getBoundingClientRect();
        return { id: el.getAttribute('data-testid')!, box: [b.x, b.y, b.width, b.height] as [number, number, number, number] };
      }),
      others: [...document.querySelectorAll<HTMLElement>('.react-flow__node-namespace:not([data-id="ns:host"])')].map((el) => {
        const b = el.getBoundingClientRect();
        return { id: el.dataset.id!, box: [b.x, b.y, b.width, b.height] as [number, number, number, number] };
      }),
    };
  }, bridge);
  assert.ok(r.region, 'the host is drawn as a region');
  assert.ok(r.inside.length >= 2, `the bridge and its members are drawn (${r.inside.length})`);
  const within = (a: Box, b: Box) => a[0] >= b[0] - 1 && a[1] >= b[1] - 1 && a[0] + a[2] <= b[0] + b[2] + 1 && a[1] + a[3] <= b[1] + b[3] + 1;
  for (const i of r.inside) assert.ok(within(i.box, r.host), `${i.id} lies inside the host region`);
  for (const o of r.others) assert.ok(!overlaps(o.box, r.host), `${o.id} is outside the host region`);
}

/**
 * A chain host–a–b–c with one more veth host–c: laid out, every veth follows ELK's
 * orthogonal route (`data-routed`), and no veth runs through a box it does not end at
 * (sampled along the drawn path).
 */
async function assertRoutedAroundBoxes(page: Page) {
  const read = () =>
    page.evaluate(() => {
      const nodes = [...document.querySelectorAll<HTMLElement>('.react-flow__node-namespace')].map((el) => {
        const b = el.getBoundingClientRect();
        return { id: el.dataset.id!, box: [b.x, b.y, b.width, b.height] };
      });
      return [...document.querySelectorAll<SVGGElement>('.veth-edge')].map((g) => {
        const path = g.querySelector<SVGPathElement>('path.react-flow__edge-path')!;
        const m = path.getScreenCTM()!;
        const len = path.getTotalLength();
        const pts: [number, number][] = [];
        for (let k = 1; k < 40; k++) {
          const p = path.getPointAtLength((len * k) / 40);
          pts.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
        }
        return { id: g.getAttribute('data-testid')!.slice('edge-'.length), routed: g.dataset.routed, ends: [g.dataset.source, g.dataset.target], pts, nodes };
      });
    });
  // the fit and the level of detail land after the layout
  const r = await until(page, read, (r) => r.length === 4 && r.every((e) => e.routed === 'elk'), 'four veths drawn along their ELK routes');
  for (const e of r) {
    assert.equal(e.routed, 'elk', `${e.id} follows its ELK route`);
    for (const n of e.nodes) {
      if (e.ends.includes(n.id)) continue;
      const [x, y, w, h] = n.box;
      const through = e.pts.filter(([px, py]) => px > x + 2 && px < x + w - 2 && py > y + 2 && py < y + h - 2);
      assert.equal(through.length, 0, `${e.id} runs through ${n.id}`);
    }
  }
}

describe('readable at every size', { skip }, () => {
  it('10 and 200 namespaces: laid out without overlap, every full name visible at the fitted zoom, minimap drawn', async () => {
    await withUiPage(async ({ page }) => {
      for (const n of [10, 200]) {
        const t0 = Date.now();
        await openText(page, `lan-${n}.yaml`, stringify(bridgeLan(n)));
        const mode = await checkReadable(page, n);
        console.log(`${n} namespaces: names read from the ${mode} (${Date.now() - t0} ms)`);
        // one canvas minimap at every zoom (canvas/overview-minimap.tsx): it notes how many boxes it drew
        const minimap = Number(await page.locator(tid('minimap')).getAttribute('data-nodes'));
        assert.ok(minimap >= n + 1, `the minimap draws every box (${minimap})`);
        if (mode === 'dom') await assertHostRegion(page, 'br:host/br0');
      }
      await openText(page, 'chain.yaml', stringify(chain()));
      // fitted, four layers wide, it is drawn by the overview layer, its veths along the same routes (all 4)
      await page.waitForSelector(`${tid('overview-layer')}[data-routed="4"]`, { state: 'attached', timeout: 10_000 });
      // zoom in to the boxes and their edges
      await viewSettled(page);
      for (let k = 0; k < 2; k++) await page.locator('.react-flow__controls-zoomin').click();
      await assertRoutedAroundBoxes(page);
    });
  });
});
