/**
 * Which namespaces a discovery reads: the helper's own (`host`), every named one
 * in /run/netns, and on request the unnamed ones processes hold
 * (/proc/PID/ns/net), deduplicated by the namespace file's inode. A named
 * namespace that is the helper's own (same inode) is `host`, not a second copy.
 */
import { readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { HOST_NS } from '../../shared/model/schema';

export const NETNS_DIR = '/run/netns';

export interface Target {
  /** `host`, the /run/netns name, or `pid:PID` */
  name: string;
  /** what nsenter --net opens */
  path: string;
  inode: number;
  named: boolean;
  holder?: { pid: number; comm: string };
}

export interface TargetOptions {
  unnamed?: boolean;
  onlyPrefix?: string;
}

/** Names `ip netns add` could have made; anything else in /run/netns is skipped (never put into argv). */
export function isSafeNetnsName(n: string): boolean {
  return /^[A-Za-z0-9_.:@+-]{1,255}$/.test(n) && n !== '.' && n !== '..';
}

export function ownInode(): number {
  return statSync(`/proc/${process.pid}/ns/net`).ino;
}

export function listTargets(opts: TargetOptions = {}): { targets: Target[]; warnings: string[] } {
  const warnings: string[] = [];
  const hostInode = ownInode();
  const targets: Target[] = [{ name: HOST_NS, path: `/proc/${process.pid}/ns/net`, inode: hostInode, named: true }];
  const seen = new Set([hostInode]);
  let names: string[] = [];
  try {
    names = readdirSync(NETNS_DIR);
  } catch { /* no named namespaces */ }
  for (const n of names.sort()) {
    if (opts.onlyPrefix !== undefined && !n.startsWith(opts.onlyPrefix)) continue;
    if (!isSafeNetnsName(n)) {
      warnings.push(`skipped /run/netns entry with an unusual name: ${JSON.stringify(n)}`);
      continue;
    }
    const t = namedTarget(n);
    if (!t) continue; // a stale file (namespace being deleted) or not a namespace
    if (seen.has(t.inode)) continue; // the helper's own namespace under a name: that is `host`
    seen.add(t.inode);
    targets.push(t);
  }
  if (opts.unnamed) {
    // every inode of a named namespace counts as seen, even those filtered out above
    for (const n of names) {
      const t = isSafeNetnsName(n) ? namedTarget(n) : undefined;
      if (t) seen.add(t.inode);
    }
    targets.push(...unnamedTargets(seen));
  }
  return { targets, warnings };
}

export function namedTarget(name: string): Target | undefined {
  const path = `${NETNS_DIR}/${name}`;
  try {
    const st = statSync(path);
    // an nsfs bind mount reports the namespace inode; a plain file left behind by a failed add has size 0 and is on tmpfs
    if (st.dev === statSync(NETNS_DIR).dev) return undefined;
    return { name, path, inode: st.ino, named: true };
  } catch {
    return undefined;
  }
}

function unnamedTargets(seen: Set<number>): Target[] {
  const out: Target[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  } catch {
    return out;
  }
  for (const p of pids.sort((a, b) => Number(a) - Number(b))) {
    const path = `/proc/${p}/ns/net`;
    let inode: number;
    try {
      // readlink gives net:[INODE] without opening the file
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(path));
      if (!m) continue;
      inode = Number(m[1]);
    } catch {
      continue; // process gone or not ours to see
    }
    if (seen.has(inode)) continue;
    seen.add(inode);
    let comm = '';
    try {
      comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
    } catch { /* gone */ }
    out.push({ name: `pid:${p}`, path, inode, named: false, holder: { pid: Number(p), comm } });
  }
  return out;
}
