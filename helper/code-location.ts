/**
 * Where the running code lives, and so which helper and forwarder agent it starts.
 * Users run the bundles that scripts/build.mjs puts in dist/node/ (the packaged app:
 * the same files in .vite/helper/); a bundle starts the helper and agents beside it.
 * Code running from its .ts sources (tests, development through tsx) starts the
 * checkout's bundles too, rebuilt first when a source is newer, so what a test spawns
 * is what users run; NETNS_STUDIO_FROM_SOURCE=1 runs sources throughout instead
 * (`npm run dev -- …`: an edit takes effect without a build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AGENT_BUNDLE, CHECKOUT_BUNDLE_DIR, HELPER_BUNDLE } from './bundle-files';
import { envSetting } from './env-overrides';

const HERE = fileURLToPath(import.meta.url);
/** this module as TypeScript (tsx), not inside a bundle */
export const RUNNING_FROM_SOURCE = HERE.endsWith('.ts');
/** a bundle's own directory (dist/node, .vite/helper, .vite/build), or helper/ */
const CODE_DIR = dirname(HERE);
/** the checkout or app root: helper/.. from source, dist/node/../.. or .vite/x/../.. from a bundle */
export const PROJECT_ROOT = resolve(CODE_DIR, '..', RUNNING_FROM_SOURCE ? '' : '..');

export const FROM_SOURCE_ENV = 'NETNS_STUDIO_FROM_SOURCE' as const;
export const sourcesWanted = (): boolean => envSetting(FROM_SOURCE_ENV) === '1';

/** True when every source listed in the bundle's build.json is older than it (the check scripts/build.mjs makes). */
function bundleIsCurrent(dir: string): boolean {
  try {
    const built = statSync(join(dir, 'build.json')).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8')) as { inputs: string[] };
    // a source that is gone is not news: removing it changed its importer
    return inputs.every((f) => !existsSync(join(PROJECT_ROOT, f)) || statSync(join(PROJECT_ROOT, f)).mtimeMs <= built);
  } catch {
    return false;
  }
}

let checked: string | undefined;
/** The checkout's dist/node, rebuilt now if a source changed since it was built (source mode only). */
function checkoutBundleDir(): string {
  const dir = join(PROJECT_ROOT, CHECKOUT_BUNDLE_DIR);
  if (checked === dir) return dir;
  if (!bundleIsCurrent(dir)) {
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.mjs'), '--if-stale'], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`building ${dir} failed (node scripts/build.mjs); set ${FROM_SOURCE_ENV}=1 to run from sources`);
  }
  checked = dir;
  return dir;
}

/** The directory holding helper.cjs, forwarder-agent.cjs and the perl scripts, or undefined = run the sources. */
function bundleDir(): string | undefined {
  if (!RUNNING_FROM_SOURCE) return CODE_DIR;
  return sourcesWanted() ? undefined : checkoutBundleDir();
}

/** The helper program: a bundle (run by node as it is) or helper/main.ts (needs tsx). */
export function helperProgram(): string {
  const dir = bundleDir();
  return dir ? join(dir, HELPER_BUNDLE) : join(PROJECT_ROOT, 'helper', 'main.ts');
}

/** The forwarder agent program: a bundle or helper/forwarders/agent.ts (needs tsx). */
export function agentProgram(): string {
  const dir = bundleDir();
  return dir ? join(dir, AGENT_BUNDLE) : join(PROJECT_ROOT, 'helper', 'forwarders', 'agent.ts');
}
