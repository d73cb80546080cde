/**
 * The renderer as Electron Forge builds it: the browser build's config
 * (vite.renderer.config.ts, owned by the renderer) with its output moved to where
 * Forge packages from (.vite/renderer/main_window, next to .vite/build/main.cjs).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig, type ConfigEnv, type UserConfig } from 'vite';
import renderer from './vite.renderer.config';

type ConfigExport = UserConfig | Promise<UserConfig> | ((env: ConfigEnv) => UserConfig | Promise<UserConfig>);

// absolute: the renderer config sets its own `root`, which relative paths would follow
const outDir = fileURLToPath(new URL('./.vite/renderer/main_window', import.meta.url));

export default defineConfig(async (env) => {
  const exported = renderer as ConfigExport;
  const base = typeof exported === 'function' ? await exported(env) : await exported;
  return mergeConfig(base, { build: { outDir, emptyOutDir: true } });
});
