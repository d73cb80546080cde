/**
 * The packaged helper's files, all in one directory (`.vite/helper/` in the app,
 * unpacked from the asar: a root process and perl read them as plain files).
 * The helper finds its scripts and its agent beside its own bundle, exactly as
 * the source tree has them beside the modules that use them.
 */
/** the helper's entry (helper/main.ts): answers the first hello, then loads HELPER_METHODS_BUNDLE */
export const HELPER_BUNDLE = 'helper.cjs';
export const AGENT_BUNDLE = 'forwarder-agent.cjs';
/** the helper bundle's directory, relative to the app root (Forge's `.vite/build` holds main.cjs) */
export const HELPER_BUNDLE_DIR = '.vite/helper';
/** where scripts/build.mjs puts the CLI, helper and agent bundles of a checkout (npm ci builds them), relative to its root */
export const CHECKOUT_BUNDLE_DIR = 'dist/node';
/** scripts the helper runs with perl, copied from the source tree next to the bundle */
export const HELPER_SCRIPTS = ['helper/discover/nl-dump.pl', 'helper/apply/netlink-lanes.pl', 'helper/watch/nft-listen.pl'];
/** the helper's second part (helper/methods-bundle.ts), beside HELPER_BUNDLE: loaded after the first hello */
export const HELPER_METHODS_BUNDLE = 'helper-methods.cjs';
