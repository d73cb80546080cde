#!/usr/bin/env node
// The compiled entry points users run, bundled by esbuild into dist/node/ (npm ci runs
// this as `prepare`; bin/netns-studio.mjs runs it on first use when dist/node is missing):
//   cli.mjs + chunk-*.mjs   the CLI (ESM, split: each command loads only what it imports,
//                           `serve` the server, `apply` the apply engine…)
//   helper.cjs              the privileged helper's entry: answers the first hello (no zod, no
//                           methods), reads helper-methods.cjs when it starts, compiles it later
//   helper-methods.cjs      the rest of the helper (every method), self-contained; also the
//                           thread that checks documents
//   forwarder-agent.cjs     the forwarder agent, one self-contained file (agents outlive
//                           a rebuild, so they must not load chunks later)
//   *.pl                    the perl scripts the helper and apply run, beside the code
//   build.json              the source files that went in (helper/code-location.ts
//                           rebuilds a stale checkout before tests spawn it)
// The helper and agent names and layout are the packaged app's (.vite/helper), so the
// code finds its siblings the same way in both.
//   node scripts/build.mjs              build
//   node scripts/build.mjs --if-stale   build only when a source is newer than build.json
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(ROOT, 'dist', 'node');
const STAMP = 'build.json';
const LOCK = join(ROOT, 'dist', '.node-build.lock');
// kept in step with helper/bundle-files.ts (this script runs before any TypeScript is compiled)
const HELPER_SCRIPTS = ['helper/discover/nl-dump.pl', 'helper/apply/netlink-lanes.pl', 'helper/watch/nft-listen.pl', 'helper/discover/ns-owner.pl'];

/**
 * zod bundles a message table for ~60 languages (`z.locales`), kept whole because
 * `z` is one namespace object; we use its English default only. Replacing the table
 * with English alone cuts the CLI's largest chunk from 755 KB to ~290 KB (less to parse
 * on every start).
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (a) =>
      a.importer.includes('node_modules/zod/') ? { path: join(a.resolveDir, a.path), namespace: 'zod-locales' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (a) => ({ contents: 'export { default as en } from "./en.js";', resolveDir: dirname(a.path) }));
  },
};

const common = {
  bundle: true,
  plugins: [zodEnglishOnly],
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // the electron package is never loaded by these programs; keep it out if an import mentions it
  external: ['electron'],
};

/**
 * CommonJS has no import.meta: the helper's modules find their perl scripts and the
 * agent beside `import.meta.url`, which must be the bundle's own file.
 */
const cjs = {
  ...common,
  format: 'cjs',
  define: { 'import.meta.url': '__nssBundleUrl' },
  banner: { js: 'var __nssBundleUrl = require("node:url").pathToFileURL(__filename).href;' },
};

/** True when every source listed in dist/node/build.json is older than it. */
export function bundleIsCurrent(dir = OUT_DIR) {
  try {
    const stampPath = join(dir, STAMP);
    const built = statSync(stampPath).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(stampPath, 'utf8'));
    // a source that is gone is not news: removing it changed its importer
    return inputs.every((f) => !existsSync(join(ROOT, f)) || statSync(join(ROOT, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

function withLock(fn) {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      closeSync(openSync(LOCK, 'wx'));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // a lock left by a killed build: older than any build takes
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { force: true });
      } catch {
        /* gone */
      }
      if (Date.now() > deadline) throw new Error(`another build holds ${LOCK}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  return fn().finally(() => rmSync(LOCK, { force: true }));
}

async function buildInto(tmp) {
  const { build } = await import('esbuild');
  const results = await Promise.all([
    build({
      ...common,
      entryPoints: { cli: join(ROOT, 'cli', 'main.ts') },
      format: 'esm',
      splitting: true,
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      // CommonJS dependencies (commander, ws…) call require() for Node built-ins
      banner: { js: 'import { createRequire as __nssCreateRequire } from "node:module"; const require = __nssCreateRequire(import.meta.url);' },
      metafile: true,
    }),
    build({ ...cjs, entryPoints: [join(ROOT, 'helper', 'main.ts')], outfile: join(tmp, 'helper.cjs'), metafile: true }),
    build({ ...cjs, entryPoints: [join(ROOT, 'helper', 'methods-bundle.ts')], outfile: join(tmp, 'helper-methods.cjs'), metafile: true }),
    build({ ...cjs, entryPoints: [join(ROOT, 'helper', 'forwarders', 'agent.ts')], outfile: join(tmp, 'forwarder-agent.cjs'), metafile: true }),
  ]);
  for (const s of HELPER_SCRIPTS) copyFileSync(join(ROOT, s), join(tmp, basename(s)));
  const inputs = new Set([relative(ROOT, fileURLToPath(import.meta.url)), ...HELPER_SCRIPTS]);
  for (const r of results) for (const f of Object.keys(r.metafile.inputs)) if (!f.includes('node_modules/')) inputs.add(relative(ROOT, join(process.cwd(), f)));
  writeFileSync(join(tmp, STAMP), JSON.stringify({ inputs: [...inputs].sort() }, null, 1) + '\n');
}

/**
 * Builds into a fresh directory, then moves each file into dist/node (a rename per
 * file, so a CLI or helper starting meanwhile sees old or new files, never half a file),
 * the stamp last; chunks of older builds are removed.
 */
export async function buildBundles({ ifStale = false } = {}) {
  return withLock(async () => {
    if (ifStale && bundleIsCurrent()) return false;
    mkdirSync(OUT_DIR, { recursive: true });
    const tmp = mkdtempSync(join(ROOT, 'dist', '.node-build-'));
    try {
      await buildInto(tmp);
      const files = readdirSync(tmp).sort(
        (a, b) => Number(a === STAMP) - Number(b === STAMP) || Number(b.startsWith('chunk-')) - Number(a.startsWith('chunk-')),
      );
      for (const f of files) renameSync(join(tmp, f), join(OUT_DIR, f));
      for (const f of readdirSync(OUT_DIR)) if (!files.includes(f)) rmSync(join(OUT_DIR, f), { force: true, recursive: true });
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return true;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const built = await buildBundles({ ifStale: process.argv.includes('--if-stale') });
  if (built) console.error(`netns-studio: built ${relative(process.cwd(), OUT_DIR) || OUT_DIR} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (!existsSync(join(OUT_DIR, 'cli.mjs'))) process.exit(1);
}
