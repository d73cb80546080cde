/**
 * The apply journal: an append-only JSON-lines file under the state dir, fsynced
 * before every batch runs. It holds every step with its inverse (written once, at
 * the start), which step indices are about to run, which finished, and which were
 * undone. A helper killed mid-apply leaves it behind; the next start reads it and
 * rolls back (or finishes) before doing anything else (see ./recovery.ts).
 *
 * Each topology keeps its journal in its own record directory
 * (helper/ownership/topologies.ts); the previous version kept one at the top of
 * the state dir. One transaction at a time per state dir, whatever topology it
 * is for: `<state>/transaction.lock` is created exclusively (holding the pid and
 * the journal's path) before the journal, and removed when it finishes. A lock
 * left by a dead process is stale: removed once its journal is dealt with.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Step } from '../../shared/model/step';
import { stepWithOps } from '../../shared/plan/legacy-argv';
import { fail } from './failure';
import { isSameRootProcess, processStart } from './process-identity';

import { JOURNAL_FILE as FILE, pendingJournalPath } from './journal-files';

export { DEFAULT_STATE_DIR, pendingJournalPath, stateDirOf } from './journal-files';

export type JournalKind = 'apply' | 'destroy' | 'recover';

export type JournalRecord =
  | {
      t: 'begin';
      v: 1;
      kind: JournalKind;
      pid: number;
      /** the owner's start time (./process-identity.ts) */ start?: string;
      at: string;
      steps: Step[];
      meta?: Record<string, unknown>;
    }
  | { t: 'run'; idx: number[] }
  | { t: 'pid'; pid: number }
  | { t: 'done'; idx: number[] }
  | { t: 'rollback' }
  | { t: 'undone'; idx: number[] }
  /** the transaction took effect; `ownership` is the record to save (replayed by recovery) */
  | { t: 'commit'; ownership?: unknown };

const LOCK = 'transaction.lock';

/**
 * A helper or CLI (not us) still runs under this pid: as root, and (when `start`
 * was recorded) started at that moment; a reused pid, or a user's process on it,
 * does not count (./process-identity.ts).
 */
export function helperAlive(pid: number, start?: string): boolean {
  return isSameRootProcess(pid, start);
}

function readLock(path: string): { pid: number; start?: string; journal?: string } | undefined {
  try {
    const l = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; start?: unknown; journal?: unknown };
    return {
      pid: typeof l.pid === 'number' ? l.pid : 0,
      ...(typeof l.start === 'string' ? { start: l.start } : {}),
      ...(typeof l.journal === 'string' ? { journal: l.journal } : {}),
    };
  } catch {
    return existsSync(path) ? { pid: 0 } : undefined; // torn: written by a process that died at once
  }
}

/** Take the state dir's transaction lock for `journal`; returns its release. */
function acquireLock(lockDir: string, journal: string): () => void {
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const path = join(lockDir, LOCK);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, start: processStart(process.pid), journal, at: new Date().toISOString() }));
      fsyncSync(fd);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    const held = readLock(path);
    if (held && helperAlive(held.pid, held.start))
      fail('busy', `another apply or destroy (pid ${held.pid}) is running on this state dir (${held.journal ?? lockDir}); wait for it to finish`, {
        pid: held.pid,
      });
    const pending = held?.journal && existsSync(held.journal) ? held.journal : pendingJournalPath(lockDir);
    if (pending)
      fail('journal-pending', `an unfinished apply journal exists at ${pending}: another apply is running, or the helper stopped mid-apply (recover first)`, {
        path: pending,
      });
    rmSync(path, { force: true }); // stale: its process died before (or after) its journal
  }
}

/** After recovery: a lock whose process is gone and whose journal is dealt with goes too. */
export function clearStaleLock(lockDir: string): void {
  const path = join(lockDir, LOCK);
  const held = readLock(path);
  if (!held || helperAlive(held.pid, held.start) || pendingJournalPath(lockDir)) return;
  rmSync(path, { force: true });
}

export class Journal {
  private fd: number;
  private closed = false;

  private constructor(
    readonly path: string,
    fd: number,
    private readonly release?: () => void,
  ) {
    this.fd = fd;
  }

  /**
   * Start a transaction with its journal in `dir` (a topology's record
   * directory), under the transaction lock of `lockDir` (the state dir; default
   * `dir`); refuses while another runs or an unfinished journal waits for recovery.
   */
  static begin(dir: string, kind: JournalKind, steps: Step[], meta?: Record<string, unknown>, lockDir: string = dir): Journal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const path = join(dir, FILE);
    const release = acquireLock(lockDir, path);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      release();
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        fail('journal-pending', `an unfinished apply journal exists at ${path}: another apply is running, or the helper stopped mid-apply (recover first)`, {
          path,
        });
      }
      throw e;
    }
    const j = new Journal(path, fd, release);
    j.write({ t: 'begin', v: 1, kind, pid: process.pid, start: processStart(process.pid), at: new Date().toISOString(), steps, meta });
    return j;
  }

  /** Continue an unfinished journal (recovery appends its own progress to it). */
  static resume(path: string): Journal {
    return new Journal(path, openSync(path, 'a', 0o600));
  }

  /** Append one record; `sync` (default) makes it durable before we act on it. */
  write(rec: JournalRecord, sync = true): void {
    if (this.closed) return;
    writeSync(this.fd, JSON.stringify(rec) + '\n');
    if (sync) fsyncSync(this.fd);
  }

  /** Finished (committed or fully rolled back): keep the last one for post-mortems, out of the way. */
  finish(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    renameSync(this.path, this.path.replace(/\.jsonl$/, '.last.jsonl'));
    this.release?.();
  }
}

export interface JournalState {
  path: string;
  kind: JournalKind;
  pid: number;
  /** the owner's start time, when the journal recorded it */
  start?: string;
  steps: Step[];
  meta?: Record<string, unknown>;
  /** indices whose step finished */
  done: Set<number>;
  /** indices that were started but not seen finishing: maybe half applied */
  inFlight: Set<number>;
  undone: Set<number>;
  rollingBack: boolean;
  committed: boolean;
  ownership?: unknown;
  /** pids of children that may still run */
  pids: number[];
}

/** Read an unfinished journal (see pendingJournalPath), or undefined when there is none. A torn last line is ignored. */
/** The journal's steps with their operations (a journal of the previous version holds argv only). */
function journalSteps(steps: Step[], path: string): Step[] {
  try {
    return steps.map((s) => stepWithOps(s));
  } catch (e) {
    return fail('invalid-step', `${path}: ${(e as Error).message}`, { path });
  }
}

export function readJournal(stateDir: string): JournalState | undefined {
  const path = pendingJournalPath(stateDir);
  if (!path) return undefined;
  const lines = readFileSync(path, 'utf8').split('\n');
  const recs: JournalRecord[] = [];
  for (const l of lines) {
    if (!l.trim()) continue;
    try {
      recs.push(JSON.parse(l));
    } catch {
      break; // torn write at the end: everything after is unreliable
    }
  }
  const begin = recs[0];
  if (!begin || begin.t !== 'begin') {
    return { path, kind: 'apply', pid: 0, steps: [], done: new Set(), inFlight: new Set(), undone: new Set(), rollingBack: false, committed: false, pids: [] };
  }
  const st: JournalState = {
    path,
    kind: begin.kind,
    pid: begin.pid,
    start: begin.start,
    steps: journalSteps(begin.steps, path),
    meta: begin.meta,
    done: new Set(),
    inFlight: new Set(),
    undone: new Set(),
    rollingBack: false,
    committed: false,
    pids: [],
  };
  for (const r of recs.slice(1)) {
    if (r.t === 'run') r.idx.forEach((i) => st.inFlight.add(i));
    else if (r.t === 'done')
      r.idx.forEach((i) => {
        st.done.add(i);
        st.inFlight.delete(i);
      });
    else if (r.t === 'pid') st.pids.push(r.pid);
    else if (r.t === 'rollback') st.rollingBack = true;
    else if (r.t === 'undone') r.idx.forEach((i) => st.undone.add(i));
    else if (r.t === 'commit') {
      st.committed = true;
      st.ownership = r.ownership;
    }
  }
  return st;
}
