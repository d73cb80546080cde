/**
 * Builds main and preload exactly as Electron Forge's Vite plugin would (its own
 * config generator, our forge.config.ts), into a temporary directory, and checks
 * what Electron will load: package.json's `main` file, a CommonJS preload with
 * nothing but `electron` to require, and a main bundle requiring only Electron and
 * Node built-ins. (`electron-forge package` itself needs the Electron download.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { build, mergeConfig, type InlineConfig } from 'vite';
import ViteConfigModule from '@electron-forge/plugin-vite/dist/ViteConfig';
import forgeConfig from '../forge.config';

const root = join(import.meta.dirname, '..');
// a CommonJS module with `exports.default`: interop differs between tsx and tsc, so unwrap by hand
const ViteConfigGenerator = ((ViteConfigModule as unknown as { default?: typeof ViteConfigModule }).default ?? ViteConfigModule) as typeof ViteConfigModule;

describe('Forge build of main and preload', () => {
  it('produces package.json main and a sandbox-loadable preload', async () => {
    const plugin = forgeConfig.plugins!.find((p) => (p as { name?: string }).name === 'vite') as unknown as {
      config: ConstructorParameters<typeof ViteConfigGenerator>[0];
    };
    assert.ok(plugin, 'the Vite plugin is configured');
    const out = mkdtempSync(join(tmpdir(), 'nst-forge-'));
    try {
      // main and preload only: the helper bundles have their own test (helper-bundle.test.ts)
      const electronOnly = { ...plugin.config, build: plugin.config.build.filter((b) => String(b.entry).startsWith('electron/')) };
      const configs = await new ViteConfigGenerator(electronOnly, root, true).getBuildConfigs();
      assert.equal(configs.length, 2);
      for (const c of configs) await build(mergeConfig(c, { logLevel: 'silent', build: { outDir: out, watch: null } }) as InlineConfig);

      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
      assert.equal(pkg.main, '.vite/build/main.cjs');
      const main = readFileSync(join(out, basename(pkg.main)), 'utf8');
      const allowed = new Set(['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
      const required = [...main.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      assert.ok(required.includes('electron'));
      for (const r of required) assert.ok(allowed.has(r), `main requires ${r}: it must be bundled`);
      assert.match(main, /preload\.cjs/, 'main points the window at the preload it ships');
      assert.match(main, /main_window/, 'the renderer name Forge defines is compiled in');

      const preload = readFileSync(join(out, 'preload.cjs'), 'utf8');
      assert.deepEqual([...new Set([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))], ['electron']);
      assert.doesNotMatch(preload, /^\s*(import|export)\s/m, 'CommonJS, not ESM');
      assert.match(preload, /netnsStudio/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
