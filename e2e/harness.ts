/**
 * End-to-end harness: skip reasons, test ids, and (from testing/serve-page.ts)
 * `netns-studio serve` inside a sandbox plus chromium in the same namespace.
 * Prefer withServePage / withUiPage there over starting both by hand.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM } from '../testing/chromium';
import { STDIO_HELPER_READY } from '../shell-core/stdio-helper-link';
import { kernelSkipReason } from '../testing/sandbox';

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
  if (!existsSync(RENDERER_INDEX) && !existsSync(join(ROOT, 'vite.renderer.config.ts')))
    return 'the UI is not built and cannot be (no vite.renderer.config.ts)';
  return undefined;
}

/** Why the live helper is not available to e2e tests, or undefined. */
export function helperSkipReason(): string | undefined {
  if (!existsSync(join(ROOT, 'helper', 'client.ts'))) return 'the helper is not built yet (helper/client.ts missing)';
  if (!STDIO_HELPER_READY) return 'serve cannot start the helper yet (shell-core/stdio-helper-link.ts is a placeholder)';
  return undefined;
}

export { launchBrowser, startServe, type Browsing, type Served } from '../testing/serve-page';

/** data-testid selector (renderer/TESTIDS.md lists them). */
export const tid = (id: string) => `[data-testid="${id}"]`;
