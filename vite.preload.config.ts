/**
 * Preload bundle: one CommonJS file (sandboxed preloads cannot load modules or ESM);
 * everything it imports (the contract's channel names) is inlined.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    rollupOptions: {
      input: 'electron/preload.ts',
      external: ['electron'],
      output: {
        format: 'cjs',
        entryFileNames: 'preload.cjs',
      },
    },
  },
});
