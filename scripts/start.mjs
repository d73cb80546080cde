#!/usr/bin/env node
// npm start: the desktop app (Electron Forge) when the Electron binary is present
// (or can be fetched now) and there is a display; otherwise a short explanation and
// the browser mode (`netns-studio serve`), which works everywhere.
//   npm start -- --port 8080      options after -- go to serve in the fallback
//   NETNS_STUDIO_BROWSER=1        always use the browser mode
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function electronDir() {
  try {
    return dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

/** Mirrors electron/index.js: path.txt names the binary under dist/ (or ELECTRON_OVERRIDE_DIST_PATH). */
export function electronBinaryPresent(dir = electronDir()) {
  if (!dir) return false;
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return false;
  const exe = readFileSync(pathFile, 'utf8').trim();
  const base = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
  return existsSync(join(base, exe));
}

function tryInstallElectron(dir = electronDir()) {
  // Electron >= 42 fetches its binary on first use; try that once (it fails fast offline).
  if (!dir || process.env.NETNS_STUDIO_NO_DOWNLOAD) return false;
  const installer = join(dir, 'install.js');
  if (!existsSync(installer)) return false;
  const r = spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 120_000 });
  return r.status === 0 && electronBinaryPresent(dir);
}

/** Why the desktop window cannot open here, or undefined when it can. */
function desktopUnavailable() {
  if (process.env.NETNS_STUDIO_BROWSER) return 'NETNS_STUDIO_BROWSER is set';
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'there is no display (DISPLAY/WAYLAND_DISPLAY unset)';
  if (!electronBinaryPresent() && !tryInstallElectron()) return 'the Electron binary is not installed and could not be downloaded here';
  return undefined;
}

const args = process.argv.slice(2);
const why = desktopUnavailable();
let child;
if (!why) {
  child = spawn(process.execPath, [join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js'), 'start', ...args], {
    stdio: 'inherit',
    cwd: root,
  });
} else {
  console.log(
    [
      `netns-studio: cannot open the desktop window: ${why}.`,
      'Starting the browser mode instead (the same app, in your browser). The CLI works too: npx netns-studio --help',
      '',
    ].join('\n'),
  );
  child = spawn(process.execPath, [join(root, 'bin', 'netns-studio.mjs'), 'serve', ...args], { stdio: 'inherit', cwd: root });
}
// pass Ctrl-C / kill on to the child, and leave with its exit code
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 0)));
