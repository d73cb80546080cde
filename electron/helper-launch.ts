/**
 * How the desktop app reaches the helper. As root: start it directly over stdio.
 * Otherwise: on first need, start it elevated with @vscode/sudo-prompt (pkexec or
 * kdesudo on Linux) and let it connect back over a Unix socket in a private
 * directory, proving itself with a one-time secret (sudo-prompt only returns output
 * when its child exits, so it cannot carry the live stream itself).
 *
 * The secret never appears on a command line (other users can read those in
 * /proc): it is written to a 0600 file in the 0700 directory, and the helper, being
 * root, reads it from there.
 */
import type { HelperLink } from '../shell-core/helper-link';
import { createStdioHelperLink } from '../shell-core/stdio-helper-link';
import { createElevatedHelperLink } from './elevated-helper-link';
import { helperEntry } from './helper-entry';

export interface DesktopHelperOptions {
  /** directory of the bundled main process (.vite/build); packaged, the helper bundle is in ../helper (./helper-entry.ts) */
  appDir: string;
}

export function createDesktopHelperLink(opts: DesktopHelperOptions): HelperLink {
  if (process.getuid?.() === 0) {
    // this binary as Node (Electron honours the variable; plain Node ignores it)
    // main asks its person (./change-dialog.ts) before it sends what exposes the host: the renderer never holds these pipes
    return createStdioHelperLink({ env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, entry: helperEntry(opts.appDir), confirm: 'client' });
  }
  return createElevatedHelperLink({ appDir: opts.appDir });
}
