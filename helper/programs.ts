/**
 * The one resolver of the programs root code runs (issue 15): absolute paths
 * from the system directories, never `$PATH`. Under `sudo -E`, or from a
 * desktop session, `$PATH` is the user's, and a directory on it that the user
 * can write would let them choose what root runs. A program counts only when it
 * and its directory are owned by root and writable by no one else.
 *
 * Programs a resolved one runs in turn (`nsenter … ip`) are given by path too:
 * nsenter looks its argument up on `$PATH` itself.
 */
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

export const SYSTEM_DIRS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin'] as const;
const resolved = new Map<string, string>();

function trusted(path: string): boolean {
  try {
    for (const p of [path, dirname(path)]) {
      const st = statSync(p);
      if (st.uid !== 0 || (st.mode & 0o022) !== 0) return false;
    }
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Absolute path of system program `name` (`ip`, `nsenter`, `iptables-save`,
 * `perl`…). When no trusted copy exists, `/usr/bin/NAME`: running it then fails
 * plainly (ENOENT) instead of finding something else.
 */
export function programPath(name: string): string {
  if (name.startsWith('/')) return name;
  let p = resolved.get(name);
  if (!p) {
    p = SYSTEM_DIRS.map((d) => `${d}/${name}`).find(trusted) ?? `/usr/bin/${name}`;
    resolved.set(name, p);
  }
  return p;
}

/** Is there a trusted copy of `name`? */
export function hasProgram(name: string): boolean {
  return SYSTEM_DIRS.some((d) => trusted(`${d}/${name}`));
}

/** `argv` with its program resolved (`argv[0]`, the rest untouched). */
export const resolvedArgv = (argv: readonly string[]): string[] => (argv.length ? [programPath(argv[0]), ...argv.slice(1)] : []);
