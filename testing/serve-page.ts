/**
 * A page of the app served the way a user gets it, for e2e tests: one setup
 * instead of a copy in every test, everything stopped even when the test fails.
 *   - withServePage: `netns-studio serve` as root inside a sandbox's host namespace
 *     (the real helper sees the sandbox as `host`), Debian's chromium in the same
 *     namespace (its loopback is the server's);
 *   - withUiPage: the real HTTP server with no helper (editing only), chromium on
 *     the machine's loopback.
 * Both wait for the app to be ready and, unless told otherwise, fail the test on
 * any page or console error seen while it ran.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer } from '../server/http-server';
import { CONFIRM_PROMPT_RE } from '../server/terminal-confirmation';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { CHROMIUM, CHROMIUM_FLAGS } from './chromium';
import type { Sandbox } from './sandbox';
import { TRUSTED_CLI } from './trust-env';
import { SERVE_URL_RE } from './serve-url';
import { waitUntil } from './until';

const ROOT = join(import.meta.dirname, '..');

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
    [
      `--net=/run/netns/${sb.hostNs}`,
      process.execPath,
      join(ROOT, 'bin', 'netns-studio.mjs'),
      TRUSTED_CLI,
      'serve',
      '--no-open',
      '--port',
      '0',
      '--only-prefix',
      sb.prefix,
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env, DISPLAY: '' } },
  );
  let out = '';
  // the person at serve's terminal: says yes to each change the browser asks for (server/terminal-confirmation.ts)
  const answered = new Set<string>();
  const confirmAll = new RegExp(CONFIRM_PROMPT_RE.source, 'g');
  const answer = () => {
    for (const [, code] of out.matchAll(confirmAll)) {
      if (code && !answered.has(code)) {
        answered.add(code);
        child.stdin!.write(`${code}\n`);
      }
    }
  };
  child.stdout!.on('data', (d) => ((out += d), answer()));
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

/** Opens the app at `url` and waits until it says it is ready. */
export async function waitForApp(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector('[data-testid="app-ready"]', { state: 'attached', timeout: 30_000 });
}

export interface PageSession {
  page: Page;
  browsing: Browsing;
  /** the page's URL (with its token) */
  url: string;
}

export interface PageOptions {
  /** page and console errors are the test's business (it asserts them itself) */
  allowProblems?: boolean;
  /** extra chromium flags */
  browserArgs?: string[];
}

async function run<T>(url: string, browsing: Browsing, opts: PageOptions, fn: (s: PageSession) => Promise<T>): Promise<T> {
  await waitForApp(browsing.page, url);
  const out = await fn({ page: browsing.page, browsing, url });
  if (!opts.allowProblems) assert.deepEqual(browsing.problems, [], 'no page or console errors');
  return out;
}

/** `fn` on a page of `netns-studio serve` (real helper) running in the sandbox `sb`. */
export async function withServePage<T>(
  sb: Sandbox,
  fn: (s: PageSession & { served: Served }) => Promise<T>,
  opts: PageOptions & { serveArgs?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<T> {
  const served = await startServe(sb, opts.serveArgs, opts.env);
  let browsing: Browsing | undefined;
  try {
    browsing = await launchBrowser(sb, opts.browserArgs);
    return await run(served.url, browsing, opts, (s) => fn({ ...s, served }));
  } finally {
    await browsing?.close();
    await served.stop();
  }
}

/** `fn` on a page of the real HTTP server without a helper (editing, files, exports; no live view). */
export async function withUiPage<T>(fn: (s: PageSession) => Promise<T>, opts: PageOptions = {}): Promise<T> {
  assert.ok(
    ensureRenderer(RENDERER_DIR, (l) => console.log(l)),
    'the UI builds',
  );
  const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
  let browsing: Browsing | undefined;
  try {
    browsing = await launchBrowser(undefined, opts.browserArgs);
    return await run(srv.url, browsing, opts, fn);
  } finally {
    await browsing?.close();
    await srv.close();
  }
}
