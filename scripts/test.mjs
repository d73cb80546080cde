#!/usr/bin/env node
// npm test: type-check (the whole tree, shared/ and renderer/ on their own), check the
// import boundaries of ARCHITECTURE.md's folder table (.dependency-cruiser.cjs), lint
// (eslint.config.mjs), check the formatting (Prettier), build the CLI/helper/agent bundles (what the tests spawn, as
// users run them: scripts/build.mjs) and the renderer (the e2e tests serve it), then run every
// *.test.ts with Node's test runner through tsx. Kernel tests skip with a printed
// reason where they cannot run (not root, no iproute2).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['shared', 'helper', 'cli', 'server', 'shell-core', 'electron', 'renderer', 'testing', 'bench', 'e2e', 'scripts'];
const only = process.argv.slice(2);

function step(title, cmd, args) {
  console.log(`\n== ${title}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`== ${title} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
}

function findTests(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out;
}

const files = only.length ? only : roots.flatMap((r) => findTests(r, [])).sort();
if (!only.length) {
  step('type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  // shared/ without DOM or Node types, the renderer without Node types: a platform API used there fails here
  step('type-check shared/ (no DOM, no Node)', 'npx', ['tsc', '--noEmit', '-p', 'shared/tsconfig.json']);
  step('type-check renderer/ (no Node)', 'npx', ['tsc', '--noEmit', '-p', 'renderer/tsconfig.json']);
  const rootFiles = readdirSync('.').filter((n) => /\.(ts|mjs)$/.test(n));
  step('import boundaries', 'npx', [
    'depcruise',
    '--config',
    '.dependency-cruiser.cjs',
    '--output-type',
    'err',
    ...roots.filter((r) => existsSync(r)),
    'bin',
    ...rootFiles,
  ]);
  step('lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
  // the tree as Prettier writes it (.prettierrc.json, .prettierignore): `npm run format` fixes it
  step('format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']);
}
// before any test starts: tests running side by side would otherwise each find it stale
step('build bundles', process.execPath, ['scripts/build.mjs', ...(only.length ? ['--if-stale'] : [])]);
if (!only.length) {
  if (existsSync('vite.renderer.config.ts')) step('build renderer', 'npx', ['vite', 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn']);
}
console.log(`\n== ${files.length} test files`);
step('tests', process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=900000', ...files]);
