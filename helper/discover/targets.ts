/**
 * Which namespaces a discovery reads: the helper's own (`host`), every named one
 * in /run/netns, and on request the unnamed ones: held by processes
 * (/proc/PID/ns/net, ./holders.ts) or only by a bind mount elsewhere (nsfs
 * entries of the mount table, ./mounts.ts), deduplicated by the namespace
 * file's inode. An unnamed namespace is named `inode:N` after it, so it keeps its
 * name whichever process holds it. A named namespace that is the helper's own
 * (same inode) is `host`, not a second copy.
 */
import { readdirSync, statSync } from 'node:fs';
import type { NamespaceHolder, NamespaceIdentity } from '../../shared/model/observed';
import { HOST_NS } from '../../shared/model/constants';
import { procText, scanHolders } from './holders';
import { readNsfsMounts } from './mounts';

export const NETNS_DIR = '/run/netns';

export interface Target {
  /** `host`, the /run/netns name, or `inode:N` (./unnamedName) */
  name: string;
  /** what nsenter --net opens: the /run/netns file, a bind mount, or a holder's /proc/PID/ns/net */
  path: string;
  inode: number;
  named: boolean;
  /** the lowest-numbered holder (unnamed only) */
  holder?: NamespaceHolder;
  /** every process in it (with `unnamed`; never listed for `host`) */
  holders?: NamespaceHolder[];
  /** nsfs bind mounts outside /run/netns */
  mounts?: string[];
  /** set by ./identity.ts */
  identity?: NamespaceIdentity;
}

/** The name of an unnamed namespace: its inode, the identity that survives holder changes. */
export const unnamedName = (inode: number) => `inode:${inode}`;

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
  } catch {
    /* no named namespaces */
  }
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
    const namedInodes = new Set(seen);
    for (const n of names) {
      const t = isSafeNetnsName(n) ? namedTarget(n) : undefined;
      if (t) namedInodes.add(t.inode);
    }
    targets.push(...unnamedTargets(targets, namedInodes));
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

/**
 * Unnamed namespaces, and the holders and mounts of the listed named ones.
 * Path: a bind mount when there is one (it outlives every process), else the
 * lowest holder's /proc/PID/ns/net.
 */
function unnamedTargets(listed: Target[], namedInodes: Set<number>): Target[] {
  const hostInode = listed[0].inode;
  const holders = scanHolders();
  const mounts = new Map<number, string[]>();
  for (const m of readNsfsMounts()) {
    if (m.path.startsWith(`${NETNS_DIR}/`)) continue; // a name, listed above
    const list = mounts.get(m.inode) ?? [];
    if (!list.includes(m.path)) list.push(m.path);
    mounts.set(m.inode, list);
  }
  const holdersOf = (inode: number): NamespaceHolder[] => (holders.get(inode) ?? []).map((pid) => ({ pid, comm: procText(pid, 'comm') }));
  for (const t of listed) {
    if (t.inode === hostInode) continue;
    const h = holdersOf(t.inode);
    if (h.length) t.holders = h;
    const m = mounts.get(t.inode);
    if (m) t.mounts = m;
  }
  const out: Target[] = [];
  const inodes = new Set([...holders.keys(), ...mounts.keys()]);
  for (const inode of [...inodes].sort((a, b) => a - b)) {
    if (inode === hostInode || namedInodes.has(inode)) continue;
    const h = holdersOf(inode);
    const m = mounts.get(inode);
    // a mount that no longer is this namespace (unmounted since) is not used
    const mountPath = m?.find((p) => {
      try {
        return statSync(p).ino === inode;
      } catch {
        return false;
      }
    });
    const path = mountPath ?? (h.length ? `/proc/${h[0].pid}/ns/net` : undefined);
    if (!path) continue;
    const t: Target = { name: unnamedName(inode), path, inode, named: false };
    if (h.length) {
      t.holder = h[0];
      t.holders = h;
    }
    if (m) t.mounts = m;
    out.push(t);
  }
  return out;
}
