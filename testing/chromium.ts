/** Debian's chromium through playwright-core, headless, with a fresh profile (bench and renderer tests). */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.NETNS_STUDIO_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumMissing = () => (existsSync(CHROMIUM) ? undefined : `chromium is not installed at ${CHROMIUM}`);

/**
 * Playwright's launch() gives every run a fresh temporary profile (it refuses a
 * --user-data-dir argument); headless comes from our own flag, so it adds none.
 */
export async function launchChromium(viewport = { width: 1280, height: 800 }): Promise<{ browser: Browser; context: BrowserContext; close(): Promise<void> }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: false, args: CHROMIUM_FLAGS, timeout: 60_000 });
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  return {
    browser,
    context,
    async close() {
      await browser.close().catch(() => {});
    },
  };
}
