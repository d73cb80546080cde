/**
 * Main process bundle (Electron Forge's Vite plugin merges its defaults under this).
 * CommonJS in a `.cjs` file: the package is `"type": "module"`, and Electron loads
 * `main` by its extension.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: {
      entry: 'electron/main.ts',
      formats: ['cjs'],
      fileName: () => 'main.cjs',
    },
    rollupOptions: {
      // the native dialog helper and Node built-ins are loaded at run time
      external: ['electron', /^node:/],
    },
    sourcemap: true,
  },
});
