/**
 * bench:canvas-live — panning at 100 % on a live-discovered host, as a person
 * does it: N (default 200 and 500) real namespaces (a star on one bridge, inside
 * a sandbox with a unique prefix, removed afterwards), `netns-studio serve` in the
 * sandbox host, Debian's chromium with the live view on, zoomed to 100 % in the
 * middle of the graph, then mouse-drag pans (Playwright's mouse: press, 3 s of
 * moves along a loop, release). Everything the live host brings is drawn as
 * unmanaged, and the minimap and dot grid are on, as a person has them.
 * Baseline in the same run: plain React Flow (renderer/bench-baseline.tsx) drawing
 * the same nodes and edges the app derived (handed over as JSON), same size of
 * window, same drags, from a static server of the same build.
 *
 * pan fps = frames in which the viewport moved, per second of dragging (a frame
 * that showed no new position is not counted); worst = the longest gap between
 * two frames while dragging.
 *
 *   npm run bench:canvas-live [-- 200 500]   (run the renderer build first)
 */
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { chromiumMissing } from '../testing/chromium';
import { runOk } from '../testing/run';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';
import { launchBrowser, startServe } from '../testing/serve-page';
import { RENDERER_DIST, serveStatic } from '../testing/static-server';

const skip = kernelSkipReason() ?? chromiumMissing();
if (skip) {
  console.log(`bench:canvas-live skipped: ${skip}`);
  process.exit(0);
}
if (!existsSync(join(RENDERER_DIST, 'index.html'))) throw new Error('dist/renderer is missing: run `npx vite build --config vite.renderer.config.ts` first');
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);
const DRAG_MS = Number(process.env.BENCH_DRAG_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const tid = (id: string) => `[data-testid="${id}"]`;

const addressOf = (i: number) => `10.100.${1 + Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`;

/** n namespaces, each with eth0 on a veth to br0 in the sandbox host (made with `ip`, so unmanaged for the app) */
async function buildStar(sb: Sandbox, n: number) {
  const ns = (i: number) => sb.ns(`n${i}`);
  const host = ['link add name br0 type bridge', 'addr add 10.100.0.1/16 dev br0', 'link set dev br0 up'];
  for (let i = 0; i < n; i++) host.push(`netns add ${ns(i)}`);
  for (let i = 0; i < n; i++)
    host.push(`link add name v${i} type veth peer name eth0 netns ${ns(i)}`, `link set dev v${i} master br0`, `link set dev v${i} up`);
  await runOk(['nsenter', `--net=/run/netns/${sb.hostNs}`, 'ip', '-batch', '-'], { input: host.join('\n') + '\n' });
  const script = Array.from(
    { length: n },
    (_, i) => `printf 'link set dev lo up\\nlink set dev eth0 up\\naddr add ${addressOf(i)}/16 dev eth0\\n' | ip -n ${ns(i)} -batch -`,
  );
  await runOk(['nsenter', `--net=/run/netns/${sb.hostNs}`, 'bash', '-euc', script.join('\n')]);
}

/** resolves once the view has been still for 10 frames, no layout pending and no fit running */
async function viewStill(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const w = window as unknown as { __vp?: { t: string; n: number } };
      const c = document.querySelector('[data-testid="canvas"]') as HTMLElement | null;
      const t = (document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? '') + (c?.dataset.layout ?? '') + (c?.dataset.view ?? '');
      w.__vp = w.__vp?.t === t ? { t, n: w.__vp.n + 1 } : { t, n: 0 };
      return w.__vp.n >= 10 && !c?.dataset.layout && !c?.dataset.view;
    },
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
}

/** zoom 1 centred on the graph's middle namespace (again if a late fit took it away) */
async function zoomToMiddle(page: Page): Promise<void> {
  for (let k = 0; ; k++) {
    await viewStill(page);
    await page.evaluate(`(() => {
      const rf = window.__bench.rf;
      const top = rf.getNodes().filter((n) => !n.parentId && n.type !== 'bridge');
      const xs = top.map((n) => n.position.x).sort((a, b) => a - b), ys = top.map((n) => n.position.y).sort((a, b) => a - b);
      rf.setCenter(xs[xs.length >> 1] + 125, ys[ys.length >> 1] + 60, { zoom: 1 });
    })()`);
    await viewStill(page);
    // the level of detail follows a settled zoom (150 ms), then the full nodes mount and paint
    await page.waitForTimeout(1000);
    const zoom = (await page.evaluate('window.__bench.rf.getViewport().zoom')) as number;
    if (Math.abs(zoom - 1) < 1e-3 && (await page.locator('.react-flow__node-namespace').count()) > 0) return;
    if (k >= 3) throw new Error(`could not hold zoom 1 (zoom ${zoom})`);
  }
}

/** mouse-drag pans on empty-ish canvas for DRAG_MS: frames in which the viewport moved per second, and the longest frame */
async function dragPan(page: Page): Promise<{ fps: number; worstMs: number; moves: number }> {
  // pressed on the empty pane nearest its middle (a press on a box would drag the box)
  const [cx, cy] = (await page.evaluate(`(() => {
    const r = document.querySelector('.react-flow__pane').getBoundingClientRect();
    let best = null;
    for (let y = r.top + 100; y < r.bottom - 100; y += 10)
      for (let x = r.left + 280; x < r.right - 280; x += 10) {
        const el = document.elementFromPoint(x, y);
        if (!el || !el.classList.contains('react-flow__pane')) continue;
        const d = Math.hypot(x - (r.left + r.right) / 2, y - (r.top + r.bottom) / 2);
        if (!best || d < best[2]) best = [x, y, d];
      }
    if (!best) throw new Error('no empty spot on the pane to press');
    return best;
  })()`)) as [number, number];
  await page.evaluate(`(() => {
    const rec = (window.__panRec = { on: true, frames: 0, moved: 0, worst: 0, last: 0, t: '' });
    const vp = document.querySelector('.react-flow__viewport');
    const step = (now) => {
      if (!rec.on) return;
      const t = vp.style.transform;
      if (rec.last) {
        rec.frames++;
        rec.worst = Math.max(rec.worst, now - rec.last);
        if (t !== rec.t) rec.moved++;
      }
      rec.last = now;
      rec.t = t;
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  })()`);
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  const start = Date.now();
  let moves = 0;
  // a loop of ±260 × ±90 px around the press point: the graph stays under the pointer, no edge of the pane is reached
  while (Date.now() - start < DRAG_MS) {
    const dt = Date.now() - start;
    await page.mouse.move(cx + 260 * Math.sin(dt / 400), cy + 90 * Math.sin(dt / 530));
    moves++;
  }
  await page.mouse.up();
  const elapsed = Date.now() - start;
  const rec = (await page.evaluate('(() => { window.__panRec.on = false; return window.__panRec; })()')) as { moved: number; worst: number };
  return { fps: Math.round((rec.moved * 10_000) / elapsed) / 10, worstMs: Math.round(rec.worst), moves };
}

interface Row {
  n: number;
  variant: 'app' | 'baseline';
  fps: number[];
  worstMs: number[];
  dom: number;
  load: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const load1 = () => loadavg()[0].toFixed(1);

async function measureApp(sb: Sandbox, n: number): Promise<{ row: Row; graph: string }> {
  const served = await startServe(sb);
  const b = await launchBrowser(sb);
  try {
    const { page } = b;
    const u = new URL(served.url);
    u.searchParams.set('bench-flow', '1');
    await page.goto(u.toString());
    await page.waitForSelector(tid('app-ready'), { state: 'attached', timeout: 60_000 });
    await page.waitForSelector(`${tid('helper-status')}[data-state="connected"]`, { timeout: 60_000 });
    await page.waitForFunction('!!(window.__bench && window.__bench.rf)', undefined, { timeout: 30_000 });
    await page.locator(tid('live-toggle')).click();
    await page.waitForFunction(
      (want) => {
        const g = (window as unknown as { __bench?: { graph?: { nodes: { type?: string }[] } } }).__bench?.graph;
        return (g?.nodes.filter((x) => x.type === 'namespace').length ?? 0) >= want;
      },
      n,
      { timeout: 180_000, polling: 500 },
    );
    await page.waitForTimeout(1500);
    await zoomToMiddle(page);
    // zoomed in: the full nodes and every veth, as the canvas derived them
    const graph = (await page.evaluate('JSON.stringify(window.__bench.graph)')) as string;
    if (process.env.BENCH_DUMP) writeFileSync(process.env.BENCH_DUMP, graph);
    const row: Row = { n, variant: 'app', fps: [], worstMs: [], dom: 0, load: '' };
    row.dom = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
    for (let k = 0; k < ROUNDS; k++) {
      const r = await dragPan(page);
      row.fps.push(r.fps);
      row.worstMs.push(r.worstMs);
      await page.waitForTimeout(500);
    }
    const unmanaged = (await page.evaluate('document.querySelectorAll(".veth-edge.live-unmanaged").length')) as number;
    console.log(`  app ${n}: ${unmanaged} veths drawn as unmanaged edges in the DOM (React Flow edges; above 300 nodes they are canvas lines)`);
    row.load = load1();
    return { row, graph };
  } finally {
    await b.close();
    await served.stop();
  }
}

async function measureBaseline(n: number, graph: string): Promise<Row> {
  const server = await serveStatic();
  const b = await launchBrowser(undefined);
  try {
    const { page } = b;
    await page.addInitScript(`window.__benchGraph = ${graph};`);
    await page.goto(`${server.url}?bench=graph&baseline=1`);
    await page.waitForSelector('.react-flow__node', { timeout: 60_000 });
    await page.waitForFunction('!!(window.__bench && window.__bench.rf)', undefined, { timeout: 30_000 });
    await page.waitForTimeout(1500);
    await zoomToMiddle(page);
    const row: Row = { n, variant: 'baseline', fps: [], worstMs: [], dom: 0, load: '' };
    row.dom = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
    for (let k = 0; k < ROUNDS; k++) {
      const r = await dragPan(page);
      row.fps.push(r.fps);
      row.worstMs.push(r.worstMs);
      await page.waitForTimeout(500);
    }
    row.load = load1();
    return row;
  } finally {
    await b.close();
    await server.close();
  }
}

const rows: Row[] = [];
for (const n of sizes.length ? sizes : [200, 500]) {
  await withSandbox('canvlive', async (sb) => {
    const t0 = Date.now();
    await buildStar(sb, n);
    console.log(`${n} namespaces made in ${Date.now() - t0} ms (load ${load1()})`);
    const { row, graph } = await measureApp(sb, n);
    rows.push(row);
    console.log(`  app ${n}: pan ${row.fps.join(' / ')} fps, worst frame ${row.worstMs.join(' / ')} ms, DOM ${row.dom}, load ${row.load}`);
    const base = await measureBaseline(n, graph);
    rows.push(base);
    console.log(`  baseline ${n}: pan ${base.fps.join(' / ')} fps, worst frame ${base.worstMs.join(' / ')} ms, DOM ${base.dom}, load ${base.load}`);
  });
}
console.log(
  `\nmachine: ${cpus().length} cores, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; ${ROUNDS} drags of ${DRAG_MS} ms each at 100 %`,
);
console.log('| namespaces (live) | variant | pan fps (each drag) | worst frame (ms) | DOM elements | load (1 min) after |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(`| ${r.n} | ${r.variant} | ${r.fps.join(' / ')} | ${r.worstMs.join(' / ')} | ${r.dom} | ${r.load} |`);
for (const n of new Set(rows.map((r) => r.n))) {
  const a = rows.find((r) => r.n === n && r.variant === 'app');
  const bl = rows.find((r) => r.n === n && r.variant === 'baseline');
  if (a && bl) console.log(`ratio at ${n} (app/baseline, median fps): ${(median(a.fps) / median(bl.fps)).toFixed(2)}×`);
}
