/**
 * The helper (its entry and its methods) and the forwarder agent as self-contained
 * CommonJS files for the packaged app (three Forge `main`-target builds share this config; Forge passes the
 * entry as `forgeConfigSelf`). Everything but Node built-ins is bundled: the
 * elevated helper runs on the app's own binary with ELECTRON_RUN_AS_NODE=1, outside
 * the asar, where there is no node_modules and no tsx. The perl scripts the helper
 * runs are copied beside the helper bundle, where its `import.meta.url` looks.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, resolve } from 'node:path';
import { defineConfig, type ConfigEnv, type Plugin } from 'vite';
// `.js`: Vite's config loader wants an extension (it resolves to the .ts)
import { AGENT_BUNDLE, HELPER_BUNDLE, HELPER_BUNDLE_DIR, HELPER_METHODS_BUNDLE, HELPER_SCRIPTS } from './helper/bundle-files.js';

export const HELPER_ENTRIES: Record<string, string> = {
  'helper/main.ts': HELPER_BUNDLE,
  // the helper's second part, read by the entry when it starts (helper/methods-loader.ts)
  'helper/methods-bundle.ts': HELPER_METHODS_BUNDLE,
  'helper/forwarders/agent.ts': AGENT_BUNDLE,
};

/** the perl scripts, emitted as they are (not as Vite assets: they are run, not served) */
function copyScripts(): Plugin {
  let root = process.cwd();
  return {
    name: 'netns-studio:helper-scripts',
    configResolved(config) {
      root = config.root; // Forge sets it to the project, whatever the working directory
    },
    generateBundle() {
      for (const s of HELPER_SCRIPTS) this.emitFile({ type: 'asset', fileName: basename(s), source: readFileSync(resolve(root, s)) });
    },
  };
}

/**
 * `import.meta.url` as the bundle's own file URL. CommonJS has no `import.meta`
 * (Rolldown would leave `{}`), and Vite would turn `new URL('./x.pl',
 * import.meta.url)` into an inlined data: URL, which perl cannot run. Replaced
 * before any other plugin sees it, so each module's scripts resolve beside the bundle.
 */
function importMetaUrlAsBundleFile(): Plugin {
  return {
    name: 'netns-studio:import-meta-url',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('/node_modules/') || !code.includes('import.meta.url')) return null;
      return { code: code.replace(/\bimport\.meta\.url\b/g, 'require("node:url").pathToFileURL(__filename).href'), map: null };
    },
  };
}

export default defineConfig((env) => {
  const entry = (env as ConfigEnv & { forgeConfigSelf?: { entry?: string } }).forgeConfigSelf?.entry ?? 'helper/main.ts';
  const fileName = HELPER_ENTRIES[entry];
  if (!fileName) throw new Error(`vite.helper.config.ts: no bundle name for entry ${entry}`);
  return {
    plugins: [importMetaUrlAsBundleFile(), ...(fileName === HELPER_BUNDLE ? [copyScripts()] : [])],
    build: {
      outDir: HELPER_BUNDLE_DIR,
      lib: { entry, formats: ['cjs'], fileName: () => fileName },
      rollupOptions: { external: ['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)] },
      target: 'node20',
      // one file per entry, nothing to load at run time but Node built-ins
      minify: false,
      sourcemap: false,
    },
  };
});
