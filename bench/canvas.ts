/**
 * Canvas benchmark: the production build in Debian's headless chromium, served
 * from 127.0.0.1, with N = 500, 1000, 2000 synthetic namespaces (+1.2·N veths,
 * N/10 bridges), whole graph in view. For this app (`?bench=N`) and, in the same
 * run, a plain memoized React Flow baseline (`?bench=N&baseline=1`), and the app
 * with the dot grid and minimap a person always has (`?bench=N&chrome=1`, app-chrome):
 *   - first full render: navigation start → the last node in the DOM + two frames
 *   - pan fps: frames per second while panning the whole graph for 3 s
 *   - zoom fps: frames per second (and the longest frame) zooming in and out for 3 s across the overview threshold
 *   - live event: one link going down → next frame painted (median of 7)
 *   - at zoom 1, the CPU each pan frame costs (a Chrome trace's thread time: the
 *     renderer's main thread, and the raster/compositor threads), which unlike fps
 *     does not depend on how loaded the machine is
 * Run: npm run bench:canvas [-- 500 1000]   (builds nothing: run the renderer build first)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from '../testing/chromium';
import { RENDERER_DIST, serveStatic } from '../testing/static-server';

interface Row {
  n: number;
  variant: 'app' | 'baseline' | 'app-chrome';
  firstRenderMs: number;
  panFps: number;
  eventMs: number;
  domElements: number;
  /** zoomed in to 100 % in the middle of the graph (culling, full nodes) */
  detailFps?: number;
  /** zoom 1 pan: CPU ms per frame on the renderer main thread / on raster + compositor threads */
  detailMainMs?: number;
  detailRasterMs?: number;
  detailEventMs?: number;
  /** zooming in and out across the overview threshold */
  zoomFps: number;
  zoomWorstMs: number;
}

const PAN_SCRIPT = `new Promise((resolve) => {
  const rf = window.__bench.rf;
  const v = rf.getViewport();
  let frames = 0;
  const start = performance.now();
  const step = (t) => {
    const dt = t - start;
    // pan back and forth by a third of the screen: the whole graph stays in view
    rf.setViewport({ x: v.x + 300 * Math.sin(dt / 400), y: v.y + 80 * Math.cos(dt / 500), zoom: v.zoom });
    frames++;
    if (dt < 3000) requestAnimationFrame(step);
    else resolve((frames * 1000) / dt);
  };
  requestAnimationFrame(step);
})`;

/** zooming in and out around the graph's middle for 3 s (the fitted zoom ×0.5 … ×4, crossing the overview threshold): fps and the longest frame */
const ZOOM_SCRIPT = `new Promise((resolve) => {
  const rf = window.__bench.rf;
  const v = rf.getViewport();
  const el = document.querySelector('.react-flow');
  const w = el.clientWidth, h = el.clientHeight;
  const cx = (w / 2 - v.x) / v.zoom, cy = (h / 2 - v.y) / v.zoom;
  let frames = 0, last = performance.now(), worst = 0;
  const start = last;
  const step = (t) => {
    const dt = t - start;
    worst = Math.max(worst, t - last);
    last = t;
    const z = v.zoom * Math.pow(2, 1 + 1.5 * Math.sin(dt / 600 - Math.PI / 2) - 0.5);
    rf.setViewport({ x: w / 2 - cx * z, y: h / 2 - cy * z, zoom: z });
    frames++;
    if (dt < 3000) requestAnimationFrame(step);
    else resolve([(frames * 1000) / dt, worst]);
  };
  requestAnimationFrame(step);
})`;

/** one link goes down; resolves after the next frame was produced (rAF, then a task after paint) */
const eventScript = (i: number) => `new Promise((resolve) => {
  const t0 = performance.now();
  window.__bench.liveEvent(${i}, false);
  requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
})`;

// the synthetic document's grid (renderer/model/synthetic.ts): the middle of it
const detailX = (n: number) => Math.floor(Math.ceil(Math.sqrt(n)) / 2) * 310 + 400 + 125;
const detailY = (n: number) => Math.floor(Math.sqrt(n) / 2) * 170 + 40;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** Runs `script` (resolving to fps over `seconds`) under a Chrome trace: fps and the thread CPU per frame. */
async function traced(page: Page, script: string, seconds: number): Promise<{ fps: number; mainMs: number; rasterMs: number }> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (d) => events.push(...(d.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { categories: 'toplevel', transferMode: 'ReportEvents' });
  const fps = (await page.evaluate(script)) as number;
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Tracing.end');
  await done;
  await cdp.detach();
  const threads = new Map(events.filter((e) => e.name === 'thread_name').map((e) => [`${e.pid}:${e.tid}`, e.args?.name ?? '']));
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const frames = fps * seconds;
  let mainUs = 0;
  let rasterUs = 0;
  for (const e of events) {
    if (e.ph !== 'X' || !(e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask')) continue;
    const cpu = e.tdur ?? e.dur ?? 0;
    const t = threads.get(`${e.pid}:${e.tid}`) ?? '';
    if (main && e.pid === main.pid && e.tid === main.tid) mainUs += cpu;
    else if (/^(ThreadPoolForegroundWorker|Compositor|VizCompositorThread)/.test(t)) rasterUs += cpu;
  }
  return { fps, mainMs: Math.round(mainUs / 100 / frames) / 10, rasterMs: Math.round(rasterUs / 100 / frames) / 10 };
}

async function measure(page: Page, url: string, n: number): Promise<Omit<Row, 'n' | 'variant'>> {
  await page.goto(url);
  // the last node in the DOM, or (app, zoomed out) the overview layer that draws all of them
  await page.waitForSelector(`[data-id="ns:n${n - 1}"], [data-testid="overview-layer"]`, { state: 'attached', timeout: 120_000 });
  const firstRenderMs = (await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(performance.now()))))')) as number;
  await page.waitForFunction('!!(window.__bench && window.__bench.rf)', undefined, { timeout: 30_000 });
  await page.waitForTimeout(300);
  const domElements = (await page.evaluate('document.getElementsByTagName("*").length')) as number;
  // evaluated as source text: tsx would wrap named functions in a helper the page does not have
  const panFps = (await page.evaluate(PAN_SCRIPT)) as number;
  const [zoomFps, zoomWorstMs] = (await page.evaluate(ZOOM_SCRIPT)) as [number, number];
  await page.evaluate('window.__bench.rf.fitView()');
  await page.waitForTimeout(300);
  const times: number[] = [];
  for (let k = 0; k < 7; k++) {
    times.push((await page.evaluate(eventScript((k * 37) % n))) as number);
    await page.waitForTimeout(50);
  }
  times.sort((a, b) => a - b);
  // zoomed in: full nodes with ports, culled to what is on screen
  await page.evaluate(`window.__bench.rf.setCenter(${detailX(n)}, ${detailY(n)}, { zoom: 1 })`);
  await page.waitForTimeout(800);
  const detail = await traced(page, PAN_SCRIPT, 3);
  const detailFps = detail.fps;
  const dtimes: number[] = [];
  const visible = Math.floor(Math.sqrt(n) / 2) * Math.ceil(Math.sqrt(n)) + Math.floor(Math.ceil(Math.sqrt(n)) / 2);
  for (let k = 0; k < 7; k++) {
    dtimes.push((await page.evaluate(eventScript(visible))) as number);
    await page.evaluate(`window.__bench.liveEvent(${visible}, true)`);
    await page.waitForTimeout(50);
  }
  dtimes.sort((a, b) => a - b);
  return {
    zoomFps: Math.round(zoomFps * 10) / 10,
    zoomWorstMs: Math.round(zoomWorstMs),
    detailFps: Math.round(detailFps * 10) / 10,
    detailMainMs: detail.mainMs,
    detailRasterMs: detail.rasterMs,
    detailEventMs: Math.round(dtimes[3] * 10) / 10,
    firstRenderMs: Math.round(firstRenderMs),
    panFps: Math.round(panFps * 10) / 10,
    eventMs: Math.round(times[3] * 10) / 10,
    domElements,
  };
}

async function main() {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`bench:canvas skipped: ${missing}`);
    return;
  }
  if (!existsSync(join(RENDERER_DIST, 'index.html'))) throw new Error('dist/renderer is missing: run `npx vite build --config vite.renderer.config.ts` first');
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => x > 0);
  const ns = sizes.length ? sizes : [500, 1000, 2000];
  const server = await serveStatic();
  const b = await launchChromium({ width: 1280, height: 800 });
  const rows: Row[] = [];
  try {
    for (const n of ns) {
      // app-chrome: the app with the dot grid and the minimap a person always has (the bare app leaves them out)
      for (const variant of ['baseline', 'app', 'app-chrome'] as const) {
        const page = await b.context.newPage();
        page.on('pageerror', (e) => console.error(`page error (${variant} ${n}):`, String(e)));
        const url = `${server.url}?bench=${n}${variant === 'baseline' ? '&baseline=1' : variant === 'app-chrome' ? '&chrome=1' : ''}`;
        const r = await measure(page, url, n);
        await page.close();
        rows.push({ n, variant, ...r });
        console.log(
          `${String(n).padStart(5)} ${variant.padEnd(10)} first render ${String(r.firstRenderMs).padStart(6)} ms  pan ${String(r.panFps).padStart(5)} fps  event ${String(r.eventMs).padStart(6)} ms  DOM ${r.domElements}  | zoom 1: pan ${r.detailFps} fps (CPU per frame: main ${r.detailMainMs} ms, raster ${r.detailRasterMs} ms), event ${r.detailEventMs} ms | zooming ${r.zoomFps} fps, worst frame ${r.zoomWorstMs} ms`,
        );
      }
    }
  } finally {
    await b.close();
    await server.close();
  }
  const lines = [
    '| N | variant | first render (ms) | pan fps (overview) | zoom fps | zoom worst frame (ms) | live event → paint (ms) | DOM elements (overview) | pan fps (zoom 1) | pan CPU/frame main, raster (zoom 1, ms) | live event (zoom 1, ms) |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.n} | ${r.variant} | ${r.firstRenderMs} | ${r.panFps} | ${r.zoomFps} | ${r.zoomWorstMs} | ${r.eventMs} | ${r.domElements} | ${r.detailFps} | ${r.detailMainMs}, ${r.detailRasterMs} | ${r.detailEventMs} |`,
    );
  lines.push(
    '',
    '| N | render ratio (baseline/app) | fps ratio (app/baseline) | zoom fps ratio (app/baseline) | event ratio (baseline/app) | zoom 1 pan fps ratio (app/baseline) | zoom 1 pan main-thread CPU ratio (baseline/app) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const n of ns) {
    const a = rows.find((r) => r.n === n && r.variant === 'app')!;
    const bl = rows.find((r) => r.n === n && r.variant === 'baseline')!;
    lines.push(
      `| ${n} | ${(bl.firstRenderMs / a.firstRenderMs).toFixed(2)}× | ${(a.panFps / bl.panFps).toFixed(2)}× | ${(a.zoomFps / bl.zoomFps).toFixed(2)}× | ${(bl.eventMs / a.eventMs).toFixed(2)}× | ${(a.detailFps! / bl.detailFps!).toFixed(2)}× | ${(bl.detailMainMs! / a.detailMainMs!).toFixed(2)}× |`,
    );
  }
  const table = lines.join('\n');
  console.log(`\n${table}`);
  const out = resolve(import.meta.dirname, 'canvas-results.md');
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  writeFileSync(
    out,
    `# Canvas benchmark (${new Date().toISOString()})\n\nchromium headless, software rendering, 1280×800, whole graph in view. Load average at the end: ${load} (2 cores). CPU per frame is thread time from a Chrome trace (does not grow with load the way fps falls).\n\n${table}\n`,
  );
  console.log(`\nwritten to ${out}`);
}

await main();
