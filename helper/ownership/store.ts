/**
 * What this product made on the host: a state file, `owned.json`, under the state
 * dir (default /var/lib/netns-studio), written atomically after every apply.
 *
 * Why a state file and not a mark on kernel objects (such as the interface alias
 * `netns-studio`): an alias is visible in every dump and would make a host built
 * by the app differ from the same host built by plain `ip` commands (hostdump
 * compares aliases); only links carry aliases, not addresses, routes, sysctls, nat
 * rules or files; and anyone can set or clear an alias. The file records every
 * object key (shared/model/ids.ts) apply created, plus the exact commands that
 * created or changed it, so destroy can undo exactly that, in reverse, and the
 * rollback of a failed destroy can rebuild it.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from '../../shared/model/step';

export const OWNERSHIP_FILE = 'owned.json';

export interface OwnedEntry {
  /** order of application: destroy goes in reverse */
  seq: number;
  /** object key the command created or changed */
  key: string;
  /** created: the object exists because of us; change: we changed an object (undo restores) */
  kind: 'created' | 'changed';
  /** the command apply ran */
  command: Command;
  /** the commands that reverse it */
  undo: Command[];
  at: string;
}

export interface Ownership {
  version: 1;
  nextSeq: number;
  /** keys of objects this product created (and still has) */
  owned: string[];
  /** every applied command on an owned object or an adopted change, in order */
  log: OwnedEntry[];
}

export function emptyOwnership(): Ownership {
  return { version: 1, nextSeq: 1, owned: [], log: [] };
}

export function loadOwnership(stateDir: string): Ownership {
  const p = join(stateDir, OWNERSHIP_FILE);
  if (!existsSync(p)) return emptyOwnership();
  const data = JSON.parse(readFileSync(p, 'utf8')) as Ownership;
  if (data.version !== 1 || !Array.isArray(data.owned) || !Array.isArray(data.log)) throw new Error(`${p}: unknown ownership file format`);
  return data;
}

/** Write to a temporary file, fsync, rename over: a crash leaves the old or the new file, never half of one. */
export function saveOwnership(stateDir: string, o: Ownership): void {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const p = join(stateDir, OWNERSHIP_FILE);
  const tmp = `${p}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(o, null, 1) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, p);
  try {
    const dfd = openSync(stateDir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch { /* directory fsync is best effort */ }
}
