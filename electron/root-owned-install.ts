/**
 * The desktop app elevates its helper only from a root-owned install (issue 15).
 * sudo-prompt runs the helper as root from a path; if the user can change the
 * file, or rename any directory on its way, or drop a file beside it (the helper
 * runs the .pl scripts and the forwarder agent next to it), the password prompt
 * would hand root to whatever the user put there, e.g. a checkout in $HOME or an
 * AppImage extracted to /tmp. So every file that runs as root, and each directory
 * from it up to `/`, must be owned by root and writable by no one else. Sources
 * (`.ts` through tsx) never qualify: they pull in a whole tree and node_modules.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';

export const NOT_INSTALLED = 'helper-not-installed';

/** Why `path` (resolved through symlinks) is not root's alone, or undefined. */
export function notRootOwned(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return `${path} does not exist`;
  }
  for (let p = real; ; p = dirname(p)) {
    const st = statSync(p);
    if (st.uid !== 0) return `${p} is owned by uid ${st.uid}, not root`;
    if ((st.mode & 0o022) !== 0) return `${p} is writable by ${st.mode & 0o002 ? 'everyone' : 'its group'} (mode ${(st.mode & 0o7777).toString(8)})`;
    if (p === '/') return undefined;
  }
}

/**
 * May the helper started as `programs` (absolute paths: wrapper, Node binary)
 * running `entry` be elevated? Yes: `entry` resolved through symlinks, the path
 * to start (a link the user could re-aim after this check is never run). No: why.
 */
export function elevatedEntry(programs: string[], entry: string): { entry: string } | { refused: string } {
  if (entry.endsWith('.ts')) return { refused: `the helper would run from sources (${entry}), which root should not run on a password prompt` };
  let real: string;
  try {
    real = realpathSync(entry);
  } catch {
    return { refused: `${entry} does not exist` };
  }
  for (const p of [...programs.filter(isAbsolute), real, dirname(real)]) {
    const why = notRootOwned(p);
    if (why) return { refused: why };
  }
  return { entry: real };
}

export function refusalMessage(why: string): string {
  return (
    `live features are off: the helper runs as root, so it is started only from an installed app that only root can change, and ${why}. ` +
    'Install the app (its package puts it under /usr or /opt), or in a checkout run it as root (`sudo -E npm start`) or use `sudo netns-studio serve`.'
  );
}
