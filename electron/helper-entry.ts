/**
 * Which helper the desktop app starts. Packaged: the bundle that
 * vite.helper.config.ts built into `.vite/helper/`, read from `app.asar.unpacked`
 * (packagerConfig.asar.unpackDir), because a root process started by sudo-prompt
 * runs it as a plain file with the app's binary in Node mode. From a checkout
 * (`electron-forge start`, which builds the same bundle): the bundle too, or
 * helper/main.ts through tsx with NETNS_STUDIO_FROM_SOURCE=1 (or no bundle built).
 * Pure path logic, so it is tested without Electron.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { HELPER_BUNDLE, HELPER_BUNDLE_DIR } from '../helper/bundle-files';
import { sourcesWanted } from '../helper/code-location';

const ASAR_SEGMENT = `${sep}app.asar${sep}`;

/** `…/app.asar/x` → `…/app.asar.unpacked/x`: where asar's unpack put a file on disk. */
export function unpackedPath(p: string): string {
  return p.replace(ASAR_SEGMENT, `${sep}app.asar.unpacked${sep}`);
}

/** The helper bundle of the app whose main process bundle sits in `appDir` (.vite/build). */
export function helperBundlePath(appDir: string): string {
  return unpackedPath(join(appDir, '..', '..', HELPER_BUNDLE_DIR, HELPER_BUNDLE));
}

/**
 * The helper's entry for the app in `appDir`: inside an asar always the unpacked
 * bundle (if it is missing, the start error names it); otherwise the bundle beside
 * if there is one, else the source tree's helper/main.ts (sources first when asked
 * for); undefined = helper/launch.ts's default.
 */
export function helperEntry(appDir: string): string | undefined {
  const bundle = helperBundlePath(appDir);
  if ((appDir + sep).includes(ASAR_SEGMENT)) return bundle;
  const source = join(appDir, '..', '..', 'helper', 'main.ts');
  for (const p of sourcesWanted() ? [source, bundle] : [bundle, source]) if (existsSync(p)) return p;
  return undefined;
}
