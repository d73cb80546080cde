/**
 * What this product made on the host: a state file, `owned.json`, one per
 * topology (./topologies.ts lays them out under the state dir, default
 * /var/lib/netns-studio), written atomically after every apply.
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
import { dirname, join } from 'node:path';
import type { Command } from '../../shared/model/step';
import { withOp } from '../../shared/plan/legacy-argv';

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

export function loadOwnership(dir: string): Ownership {
  const p = join(dir, OWNERSHIP_FILE);
  if (!existsSync(p)) return emptyOwnership();
  return parseOwnership(readFileSync(p, 'utf8'), p);
}

/** The record in `text`; throws, naming `where`, when it is not one (torn, hand-edited, another format). */
export function parseOwnership(text: string, where: string): Ownership {
  let data: Ownership;
  try {
    data = JSON.parse(text) as Ownership;
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  const entryOk = (e: OwnedEntry) =>
    !!e &&
    typeof e.key === 'string' &&
    typeof e.seq === 'number' &&
    (e.kind === 'created' || e.kind === 'changed') &&
    Array.isArray(e.command?.argv) &&
    Array.isArray(e.undo);
  if (
    !data ||
    data.version !== 1 ||
    !Array.isArray(data.owned) ||
    !Array.isArray(data.log) ||
    typeof data.nextSeq !== 'number' ||
    !data.owned.every((k) => typeof k === 'string') ||
    !data.log.every(entryOk)
  ) {
    throw new Error(`${where}: unknown ownership file format`);
  }
  // records of the previous version hold argv only: their operations are read from it
  const log = data.log.map((e) => {
    const command = withOp(e.command);
    const undo = e.undo.map((u) => withOp(u));
    if (!command || undo.some((u) => !u)) throw new Error(`${where}: entry ${e.seq} holds a command no plan holds`);
    return { ...e, command, undo: undo as Command[] };
  });
  return { ...data, log };
}

export function saveOwnership(dir: string, o: Ownership): void {
  writeFileAtomic(join(dir, OWNERSHIP_FILE), JSON.stringify(o, null, 1) + '\n');
}

/** Write to a temporary file, fsync, rename over: a crash leaves the old or the new file, never half of one. */
export function writeFileAtomic(p: string, text: string): void {
  const dir = dirname(p);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${p}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, p);
  try {
    const dfd = openSync(dir, 'r');
    fsyncSync(dfd);
    closeSync(dfd);
  } catch {
    /* directory fsync is best effort */
  }
}
