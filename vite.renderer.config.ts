/**
 * The renderer's build: root renderer/, output dist/renderer, relative asset URLs
 * (`base: './'`) so the same files load from file:// in Electron and from the
 * server in browser mode. Electron Forge reuses this (vite.forge-renderer.config.ts).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./renderer', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/renderer', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  build: { outDir, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 2000 },
});
