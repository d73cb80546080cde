/**
 * End-to-end harness: `netns-studio serve` started as root inside a sandbox's host
 * namespace (so the real helper sees the sandbox as `host`), and Debian's chromium
 * driven by playwright-core inside the same namespace (its loopback is the
 * server's). Everything started here is stopped by `stop()`, even on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../testing/chromium';
import { STDIO_HELPER_READY } from '../shell-core/stdio-helper-link';
import { kernelSkipReason, type Sandbox } from '../testing/sandbox';
import { TRUSTED_CLI } from '../testing/trust-env';
import { SERVE_URL_RE } from '../testing/serve-url';
import { waitUntil } from '../testing/until';

export const ROOT = join(import.meta.dirname, '..');
export const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');

/** Why a browser test cannot run here, or undefined. */
export function chromiumSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `chromium is not installed at ${CHROMIUM} (apt-get install chromium)`;
}

/** Why e2e tests cannot run here (printed by the skipping test), or undefined. */
export function e2eSkipReason(opts: { needUi?: boolean } = {}): string | undefined {
  const k = kernelSkipReason();
  if (k) return k;
  const c = chromiumSkipReason();
  if (c) return c;
  if (opts.needUi) return uiSkipReason();
  return undefined;
}

/** The UI flows need the built UI (npm test builds it first; serve builds it when missing). */
export function uiSkipReason(): string | undefined {
  if (!existsSync(RENDERER_INDEX) && !existsSync(join(ROOT, 'vite.renderer.config.ts'))) return 'the UI is not built and cannot be (no vite.renderer.config.ts)';
  return undefined;
}

/** Why the live helper is not available to e2e tests, or undefined. */
export function helperSkipReason(): string | undefined {
  if (!existsSync(join(ROOT, 'helper', 'client.ts'))) return 'the helper is not built yet (helper/client.ts missing)';
  if (!STDIO_HELPER_READY) return 'serve cannot start the helper yet (shell-core/stdio-helper-link.ts is a placeholder)';
  return undefined;
}

export interface Served {
  /** the first address serve printed: its one-time code opens one session (server/one-time-codes.ts) */
  url: string;
  origin: string;
  /** the next address serve printed (each spent code prints the next), for another page or context */
  nextUrl(): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `netns-studio serve` as root inside the sandbox host namespace, its live view
 * limited to the sandbox's namespaces (other tests run beside us); resolves once
 * it printed its URL.
 */
export async function startServe(sb: Sandbox, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  // the helper's journal and ownership record: never the machine's /var/lib/netns-studio
  const ownState = env.NETNS_STUDIO_STATE_DIR ? undefined : mkdtempSync(join(tmpdir(), 'nst-e2e-state-'));
  if (ownState) env = { ...env, NETNS_STUDIO_STATE_DIR: ownState };
  const child: ChildProcess = spawn(
    'nsenter',
    [`--net=/run/netns/${sb.hostNs}`, process.execPath, join(ROOT, 'bin', 'netns-studio.mjs'), TRUSTED_CLI, 'serve', '--no-open', '--port', '0', '--only-prefix', sb.prefix, ...extraArgs],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env, DISPLAY: '' } },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    if (ownState) rmSync(ownState, { recursive: true, force: true });
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL in 120 s:\n${out}`)), 120_000);
      const look = () => {
        const m = SERVE_URL_RE.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      child.stdout!.on('data', look);
      child.stderr!.on('data', look);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`serve exited (${code}):\n${out}`));
      });
    });
    const u = new URL(url);
    const handedOut = new Set([url]);
    const all = new RegExp(SERVE_URL_RE.source, 'g');
    const fresh = () => [...out.matchAll(all)].map((x) => x[0]).find((x) => !handedOut.has(x));
    const nextUrl = async () => {
      await waitUntil('a fresh address from serve (printed once the last one is used)', () => fresh() !== undefined, 30_000);
      const next = fresh()!;
      handedOut.add(next);
      return next;
    };
    return { url, origin: u.origin, nextUrl, output: () => out, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export interface Browsing {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** console errors and page errors seen so far (CSP violations show up here) */
  problems: string[];
  close(): Promise<void>;
}

/** Chromium with a fresh profile; with a sandbox, inside its host namespace (wrapped with nsenter). */
export async function launchBrowser(sb: Sandbox | undefined, extraArgs: string[] = []): Promise<Browsing> {
  const dir = mkdtempSync(join(tmpdir(), 'nst-e2e-chromium-'));
  let wrapper = CHROMIUM;
  if (sb) {
    wrapper = join(dir, 'chromium');
    writeFileSync(wrapper, `#!/bin/sh\nexec nsenter --net=/run/netns/${sb.hostNs} ${CHROMIUM} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  // headless via our own flag (new headless mode); Playwright then adds none of its own
  const browser = await chromium.launch({ executablePath: wrapper, headless: false, args: [...CHROMIUM_FLAGS, ...extraArgs], timeout: 60_000 });
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return {
    browser,
    context,
    page,
    problems,
    async close() {
      await browser.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** data-testid selector (renderer/TESTIDS.md lists them). */
export const tid = (id: string) => `[data-testid="${id}"]`;
