/**
 * bench:live-path — the whole real path as a person sees it: `ip` changes a link →
 * helper → serve → WebSocket → renderer → the `data-up` attribute of that port
 * flips in chromium, with N (default 100 and 500) namespaces live (a star on one
 * host bridge, inside a sandbox). Also the first live draw (live toggle pressed →
 * the toolbar says the host is drawn, plus two frames). Each change: the
 * namespace is found with search (which brings its port into view), then its
 * eth0 goes down; timed from just before spawning `ip` until the frame after the
 * attribute flipped (noted in the page: a MutationObserver, then requestAnimationFrame).
 * Baseline in the same run: the same bench against `main` as it is
 * (`git archive main`, sharing this checkout's node_modules), when asked with
 * `--baseline`; where search cannot find the port the change counts as unreachable.
 *
 *   npm run bench:live-path [-- 100 500] [--baseline]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, tid } from '../e2e/harness';
import { run, runOk } from '../testing/run';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';
import { TRUSTED_CLI } from '../testing/trust-env';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:live-path skipped: ${skip}`);
  process.exit(0);
}
const args = process.argv.slice(2);
const sizes = args.map(Number).filter((x) => x > 0);
const withBaseline = args.includes('--baseline');
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const HERE = join(import.meta.dirname, '..');

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN);

const addressOf = (i: number) => `10.100.${1 + Math.floor((i + 2) / 250)}.${((i + 2) % 250) + 1}`;

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

/** `netns-studio serve` of the checkout at `root`, in the sandbox host, scoped to its prefix. */
async function serve(root: string, sb: Sandbox): Promise<{ url: string; stop(): Promise<void>; output(): string }> {
  const state = mkdtempSync(join(tmpdir(), 'nst-bench-state-'));
  const child: ChildProcess = spawn(
    'nsenter',
    [
      `--net=/run/netns/${sb.hostNs}`,
      process.execPath,
      join(root, 'bin', 'netns-studio.mjs'),
      TRUSTED_CLI,
      'serve',
      '--no-open',
      '--port',
      '0',
      '--only-prefix',
      sb.prefix,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NETNS_STUDIO_STATE_DIR: state, DISPLAY: '', NETNS_STUDIO_WATCH_TRACE: '1' },
    },
  );
  let out = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(state, { recursive: true, force: true });
  };
  const url = await new Promise<string>((resolve, reject) => {
    const look = (d: Buffer) => {
      out += d;
      // `?code=` (a one-time code), or `?token=` from a baseline checkout older than it
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?(?:code|token)=[\w-]+/.exec(out);
      if (m) resolve(m[0]);
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.once('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
    setTimeout(() => reject(new Error(`no URL from serve in 300 s: ${out}`)), 300_000).unref();
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  return { url, stop, output: () => out };
}

/** where one change's time went: ip → the helper sent the event → the renderer had it → applied → the attribute flipped */
interface Stages {
  helper: number;
  toRenderer: number;
  apply: number;
  toDom: number;
}
interface Row {
  variant: string;
  n: number;
  firstDrawMs: number;
  eventMs: number[];
  unreachable: number;
  stages: Stages[];
  load: string;
}

async function measure(variant: string, root: string, sb: Sandbox, n: number): Promise<Row> {
  const served = await serve(root, sb);
  const b = await launchBrowser(sb);
  const { page } = b;
  const row: Row = { variant, n, firstDrawMs: NaN, eventMs: [], unreachable: 0, stages: [], load: '' };
  try {
    await page.goto(served.url);
    await page.waitForSelector(tid('app-ready'), { state: 'attached', timeout: 60_000 });
    // the renderer records when each watch event reached it (live-controller.ts; a baseline without it records nothing)
    await page.evaluate(() => ((window as unknown as { __watchTrace: unknown[] }).__watchTrace = []));
    await page.waitForSelector(`${tid('helper-status')}[data-state="connected"]`, { timeout: 60_000 });
    const t0 = Date.now();
    await page.locator(tid('live-toggle')).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="live-toggle"]')?.textContent?.includes('●'), undefined, {
      timeout: 120_000,
      polling: 'raf',
    });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    row.firstDrawMs = Date.now() - t0;
    await page.locator(tid('search-open')).click({ timeout: 120_000 }); // under load the page is busy a while after the first draw
    for (let k = 0; k < CHANGES; k++) {
      const i = Math.floor(((k + 0.5) / CHANGES) * n);
      const name = sb.ns(`n${i}`);
      const port = `${tid(`port-${name}/eth0`)}`;
      // its address with the prefix length: a name would also match n1 → n10…n19
      await page.locator(tid('search-input')).fill(`${addressOf(i)}/16`);
      const found = await page.waitForSelector(port, { state: 'attached', timeout: 5000 }).then(
        () => true,
        () => false,
      );
      if (!found) {
        row.unreachable++;
        continue;
      }
      // the fit animation ends first: the viewport transform the same for 10 frames
      await page
        .waitForFunction(
          () => {
            const w = window as unknown as { __vp?: { t: string; n: number } };
            const t = document.querySelector('.react-flow__viewport')?.getAttribute('style') ?? '';
            w.__vp = w.__vp?.t === t ? { t, n: w.__vp.n + 1 } : { t, n: 0 };
            return w.__vp.n >= 10;
          },
          undefined,
          { polling: 'raf', timeout: 5000 },
        )
        .catch(() => {});
      // the page notes when the attribute flips (a MutationObserver) and the frame after it (painted): Playwright's own
      // polling of the DOM, seconds under load, is not part of what a person sees
      await page.evaluate((sel) => {
        const w = window as unknown as { __flip?: { at?: number; frame?: number } };
        w.__flip = {};
        const el = document.querySelector(sel)!;
        const mo = new MutationObserver(() => {
          if (el.getAttribute('data-up') !== 'false' || w.__flip!.at) return;
          w.__flip!.at = Date.now();
          requestAnimationFrame(() => (w.__flip!.frame = Date.now()));
          mo.disconnect();
        });
        mo.observe(el, { attributes: true, attributeFilter: ['data-up'] });
      }, port);
      const start = Date.now();
      await runOk(['ip', '-n', name, 'link', 'set', 'dev', 'eth0', 'down']);
      const flipped = await page.waitForSelector(`${port}[data-up="false"]`, { state: 'attached', timeout: 10_000 }).then(
        async () => {
          const f = await page
            .waitForFunction(() => (window as unknown as { __flip?: { frame?: number } }).__flip?.frame, undefined, { timeout: 5000 })
            .then(
              (h) => h.jsonValue() as Promise<number>,
              () => undefined,
            );
          return f ?? Date.now();
        },
        () => undefined,
      );
      if (flipped === undefined) row.unreachable++;
      else {
        row.eventMs.push(flipped - start);
        const sent = [...served.output().matchAll(/watch-trace namespace-changed (\S+) at=(\d+)/g)]
          .filter((m) => m[1] === name && Number(m[2]) >= start)
          .map((m) => Number(m[2]))[0];
        const got = (await page.evaluate(() => (window as unknown as { __watchTrace: [string, string, number, number][] }).__watchTrace)).find(
          (t) => t[1] === name && t[2] >= start,
        );
        if (process.env.BENCH_TRACE === '1') {
          console.log(`  change ${k} ${name}: start=${start} flipped=${flipped} (${flipped - start} ms)`);
          for (const m of served.output().matchAll(/watch-trace .*/g))
            if (Number(/ at=(\d+)/.exec(m[0])?.[1]) >= start - 2000)
              console.log(
                `    +${Number(/ at=(\d+)/.exec(m[0])![1]) - start} ${m[0]
                  .replace(/at=\d+ /, '')
                  .replace(/heard=(\d+)/, (_, h) => `heard=+${Number(h) - start}`)
                  .replace(/roundAt=(\d+)/, (_, h) => `roundAt=+${Number(h) - start}`)}`,
              );
        }
        if (sent !== undefined && got) row.stages.push({ helper: sent - start, toRenderer: got[2] - sent, apply: got[3] - got[2], toDom: flipped - got[3] });
      }
      await runOk(['ip', '-n', name, 'link', 'set', 'dev', 'eth0', 'up']);
      await page.waitForSelector(`${port}[data-up="true"]`, { state: 'attached', timeout: 10_000 }).catch(() => {});
    }
  } finally {
    row.load = loadavg()[0].toFixed(1);
    await b.close();
    await served.stop();
  }
  return row;
}

const rows: Row[] = [];
let base: string | undefined;
try {
  if (withBaseline) {
    base = mkdtempSync(join(tmpdir(), 'nst-live-base-'));
    chmodSync(base, 0o755); // `sudo serve` runs its web server as nobody, which must read the checkout
    const tar = spawnSync('bash', ['-c', `git -C ${JSON.stringify(HERE)} archive main | tar -x -C ${JSON.stringify(base)}`], { stdio: 'inherit' });
    if (tar.status !== 0) throw new Error('git archive main failed');
    symlinkSync(join(HERE, 'node_modules'), join(base, 'node_modules'));
    // its renderer and bundles, built the way serve builds them on first use
    if (!existsSync(join(base, 'dist', 'renderer', 'index.html')))
      await runOk(
        [
          process.execPath,
          join(base, 'node_modules', 'vite', 'bin', 'vite.js'),
          'build',
          '--config',
          join(base, 'vite.renderer.config.ts'),
          '--logLevel',
          'warn',
        ],
        { timeoutMs: 600_000 },
      ).catch(async () => {
        await run(['bash', '-c', `cd ${JSON.stringify(base)} && npx vite build --config vite.renderer.config.ts --logLevel warn`]);
      });
  }
  for (const n of sizes.length ? sizes : [100, 500]) {
    await withSandbox('livepath', async (sb) => {
      await buildStar(sb, n);
      // a row that fails (a timeout under load) is reported as such; the others still print
      const row = (variant: string, root: string) =>
        measure(variant, root, sb, n).catch((e: unknown) => {
          console.log(`${variant} ${n}: failed: ${String(e).split('\n')[0]}`);
          return undefined;
        });
      for (const [variant, root] of [['this branch', HERE], ...(base ? [['main (baseline)', base]] : [])] as [string, string][]) {
        const r = await row(variant, root);
        if (r) rows.push(r);
      }
    });
  }
} finally {
  if (base) rmSync(base, { recursive: true, force: true });
}
console.log(
  `\nmachine: ${cpus().length} cores, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; ${CHANGES} changes per row`,
);
console.log(
  '| variant | namespaces | first live draw | change → DOM p50 | p95 | unreachable (search could not bring the port into view) | load (1 min) after the row |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows)
  console.log(`| ${r.variant} | ${r.n} | ${r.firstDrawMs} ms | ${pct(r.eventMs, 50)} ms | ${pct(r.eventMs, 95)} ms | ${r.unreachable} | ${r.load} |`);
console.log(
  '\nwhere the time went (p50 / max of the changes traced, ms): ip → helper sent | → renderer had it | applied | → attribute flipped and painted (next frame)',
);
for (const r of rows.filter((x) => x.stages.length)) {
  const st = (k: keyof Stages) =>
    `${pct(
      r.stages.map((x) => x[k]),
      50,
    )} / ${Math.max(...r.stages.map((x) => x[k]))}`;
  console.log(`${r.variant} ${r.n}: ${st('helper')} | ${st('toRenderer')} | ${st('apply')} | ${st('toDom')}`);
}
const ours = rows.filter((r) => r.variant === 'this branch');
for (const o of ours) {
  const b = rows.find((r) => r.variant !== o.variant && r.n === o.n);
  if (b && b.eventMs.length && o.eventMs.length)
    console.log(`ratio at ${o.n}: p95 ${(pct(o.eventMs, 95) / pct(b.eventMs, 95)).toFixed(2)}×, first draw ${(o.firstDrawMs / b.firstDrawMs).toFixed(2)}×`);
}
