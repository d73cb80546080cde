/**
 * Electron Forge: the Vite plugin builds main, preload and the renderer into .vite/;
 * makers produce a .deb and a .zip for Linux. `electron-forge package`/`make` fetch
 * an Electron build, so they run on a machine with internet access (not in CI here).
 */
import type { ForgeConfig } from '@electron-forge/shared-types';
import { MakerDeb } from '@electron-forge/maker-deb';
import { MakerZIP } from '@electron-forge/maker-zip';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { HELPER_BUNDLE_DIR } from './helper/bundle-files';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Netns Studio',
    executableName: 'netns-studio',
    // the helper bundle, its forwarder agent and perl scripts stay plain files on disk
    // (app.asar.unpacked/.vite/helper): root runs them via sudo-prompt, perl reads them
    asar: { unpackDir: HELPER_BUNDLE_DIR },
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
        // the helper and the forwarder agent, self-contained, into .vite/helper/ (kept out of the asar above)
        { entry: 'helper/main.ts', config: 'vite.helper.config.ts', target: 'main' },
        { entry: 'helper/methods-bundle.ts', config: 'vite.helper.config.ts', target: 'main' },
        { entry: 'helper/forwarders/agent.ts', config: 'vite.helper.config.ts', target: 'main' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.forge-renderer.config.ts' }],
    }),
  ],
  // Fuses (@electron/fuses) are left at Electron's defaults on purpose: the helper
  // (as root, directly or elevated) and its forwarder agents run the unpacked bundles
  // in .vite/helper on the app's own binary with ELECTRON_RUN_AS_NODE=1, which needs
  // the RunAsNode fuse ON (the Forge template turns it off). Asar integrity checks
  // (EnableEmbeddedAsarIntegrityValidation) would not cover those unpacked files
  // anyway. Where the app looks for them: electron/helper-entry.ts.
};

export default config;
