/**
 * Electron Forge: the Vite plugin builds main, preload and the renderer into .vite/;
 * makers produce a .deb and a .zip for Linux. `electron-forge package`/`make` fetch
 * an Electron build, so they run on a machine with internet access (not in CI here).
 */
import type { ForgeConfig } from '@electron-forge/shared-types';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { VitePlugin } from '@electron-forge/plugin-vite';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Netns Studio',
    executableName: 'netns-studio',
    asar: true,
  },
  rebuildConfig: {},
  makers: [
    new MakerZIP({}, ['linux']),
    new MakerDeb({
      options: {
        name: 'netns-studio',
        productName: 'Netns Studio',
        genericName: 'Network namespace editor',
        categories: ['Development', 'Network'],
        section: 'net',
        // the helper drives these
        depends: ['iproute2', 'iptables'],
        homepage: 'https://github.com/netns-studio/netns-studio',
      },
    }),
  ],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.forge-renderer.config.ts' }],
    }),
  ],
  // Fuses (@electron/fuses) are left at Electron's defaults on purpose: the elevated
  // helper runs on the app's own binary with ELECTRON_RUN_AS_NODE=1, which needs the
  // RunAsNode fuse ON (the Forge template turns it off). See notes/install.md.
};

export default config;
