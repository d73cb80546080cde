#!/usr/bin/env node
// The CLI entry: the compiled bundle dist/node/cli.mjs (scripts/build.mjs; `npm ci` builds it
// as `prepare`). Built here when missing, and rebuilt when a source listed in its build.json
// is newer (a checkout after `git pull` or an edit; ~1 ms of stat calls when current).
// NETNS_STUDIO_FROM_SOURCE=1 runs the TypeScript sources through tsx instead (development:
// `npm run dev -- validate x.yaml`).
import { readFileSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url);

/** 'missing', 'stale' or 'current' */
function bundleState() {
  let built, inputs;
  try {
    const stamp = new URL('dist/node/build.json', root);
    built = statSync(stamp).mtimeMs;
    inputs = JSON.parse(readFileSync(stamp, 'utf8')).inputs;
  } catch {
    return 'missing';
  }
  for (const f of inputs) {
    try {
      if (statSync(new URL(f, root)).mtimeMs > built) return 'stale';
    } catch {
      // no such source: an install without sources (removing one changes its importer)
    }
  }
  return 'current';
}

// as root only with --trust-env (helper/env-overrides.ts): root would run whatever sources this checkout holds
const sourcesAsked = process.env.NETNS_STUDIO_FROM_SOURCE === '1' && (process.getuid?.() !== 0 || process.argv.includes('--trust-env'));
if (sourcesAsked) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
} else {
  const state = bundleState();
  if (state !== 'current') {
    console.error(
      state === 'missing'
        ? 'netns-studio: the compiled CLI (dist/node) is missing; building it now (once, a few seconds)…'
        : 'netns-studio: sources changed since dist/node was built; rebuilding it…',
    );
    try {
      const { buildBundles } = await import('../scripts/build.mjs');
      await buildBundles({ ifStale: true });
    } catch (e) {
      // a stale bundle still runs (e.g. a checkout built by root, run by a user who cannot write dist/)
      console.error(
        `netns-studio: could not build dist/node (${e instanceof Error ? e.message : e}); ${state === 'missing' ? 'run `npm run build`' : 'running the previous build'}`,
      );
      if (state === 'missing') process.exit(1);
    }
  }
  await import(new URL('dist/node/cli.mjs', root).href);
}
