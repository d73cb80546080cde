#!/usr/bin/env node
// npm start: the desktop app (Electron Forge) when the Electron binary is present;
// otherwise a short explanation and the browser mode, which works everywhere.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

function electronBinaryPresent() {
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    return existsSync(pathFile) && existsSync(join(dir, 'dist', readFileSync(pathFile, 'utf8').trim()));
  } catch {
    return false;
  }
}

function tryInstallElectron() {
  // Electron >= 42 fetches its binary on first use; try that once, quietly.
  try {
    const dir = dirname(require.resolve('electron/package.json'));
    const installer = join(dir, 'install.js');
    if (!existsSync(installer)) return false;
    return spawnSync(process.execPath, [installer], { stdio: 'ignore', timeout: 120_000 }).status === 0 && electronBinaryPresent();
  } catch {
    return false;
  }
}

if (electronBinaryPresent() || tryInstallElectron()) {
  const child = spawn('npx', ['electron-forge', 'start', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    [
      'netns-studio: the Electron binary is not installed and could not be downloaded here,',
      'so the desktop window cannot open. Everything else works: starting the browser mode',
      '(the same app in your browser). The CLI works too: npx netns-studio --help',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, ['bin/netns-studio.mjs', 'serve', ...process.argv.slice(2)], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
}
