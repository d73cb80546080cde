/**
 * Electron entry (bundled to .vite/build/main.cjs by vite.main.config.ts). All the
 * logic is in ./app.ts, which takes the Electron module as an argument.
 */
import * as electron from 'electron';
import { join } from 'node:path';
import { startApp, type ElectronLike } from './app';
import { createDesktopHelperLink } from './helper-launch';

// Defined by Electron Forge's Vite plugin at build time.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

startApp(electron as unknown as ElectronLike, {
  preload: join(__dirname, 'preload.cjs'),
  rendererDir: join(__dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME),
  devServerUrl: MAIN_WINDOW_VITE_DEV_SERVER_URL || undefined,
  createHelperLink: () => createDesktopHelperLink({ appDir: __dirname }),
});
