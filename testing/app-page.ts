/**
 * The built UI in Debian's chromium, served from dist/renderer, for renderer tests:
 * one setup (build check, static server, browser, page errors collected, app ready)
 * instead of a copy in every test, and both closed even when the test fails.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { ensureRenderer } from '../server/serve';
import { launchChromium } from './chromium';
import { RENDERER_DIST, serveStatic } from './static-server';

export interface AppPageOptions {
  /** `?backend=`: the in-memory demo host or none */
  backend: 'demo' | 'none';
  /** also count console errors as problems, not only uncaught page errors */
  consoleErrors?: boolean;
}

/** Runs `fn` on a page of the app once it is ready; `problems` collects what the page threw. */
export async function withAppPage<T>(opts: AppPageOptions, fn: (page: Page, problems: string[]) => Promise<T>): Promise<T> {
  assert.ok(ensureRenderer(RENDERER_DIST, console.log), 'renderer build');
  const server = await serveStatic();
  const b = await launchChromium({ width: 1400, height: 900 });
  try {
    const page = await b.context.newPage();
    const problems: string[] = [];
    if (opts.consoleErrors) page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(String(e)));
    await page.goto(`${server.url}?backend=${opts.backend}`);
    await page.locator('[data-testid="app-ready"]').waitFor({ state: 'attached' });
    return await fn(page, problems);
  } finally {
    await b.close();
    await server.close();
  }
}
