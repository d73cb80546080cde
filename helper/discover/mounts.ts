/**
 * Network namespaces held by bind mounts: the nsfs entries of the mount table
 * (/proc/self/mountinfo). `ip netns add` mounts under /run/netns; Docker under
 * /run/docker/netns (or its --exec-root), other tools wherever they like. A
 * namespace no process holds any more is found only here.
 */
import { readFileSync } from 'node:fs';
import { hasControlChars } from '../../shared/validate/control-chars';

export interface NsfsMount {
  /** the namespace's inode (mountinfo's root field `net:[INODE]`) */
  inode: number;
  /** where it is mounted, unescaped */
  path: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The network-namespace nsfs mounts in mountinfo text (pure). */
export function parseNsfsMounts(text: string): NsfsMount[] {
  const out: NsfsMount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional…] - fstype source superoptions
    const sep = line.indexOf(' - ');
    if (sep < 0 || !line.slice(sep + 3).startsWith('nsfs ')) continue;
    const f = line.slice(0, sep).split(' ');
    const m = /^net:\[(\d+)\]$/.exec(f[3] ?? '');
    if (!m || !f[4]) continue;
    const path = unescape(f[4]);
    // a path we hand to nsenter as one argument: absolute, no control characters
    if (!path.startsWith('/') || hasControlChars(path)) continue;
    out.push({ inode: Number(m[1]), path });
  }
  return out;
}

export function readNsfsMounts(mountinfo = '/proc/self/mountinfo'): NsfsMount[] {
  try {
    return parseNsfsMounts(readFileSync(mountinfo, 'utf8'));
  } catch {
    return [];
  }
}
