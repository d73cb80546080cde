/**
 * The apply journal: an append-only JSON-lines file under the state dir, fsynced
 * before every batch runs. It holds every step with its inverse (written once, at
 * the start), which step indices are about to run, which finished, and which were
 * undone. A helper killed mid-apply leaves it behind; the next start reads it and
 * rolls back (or finishes) before doing anything else (see ./recovery.ts).
 *
 * One transaction at a time per state dir: the file is created exclusively.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Step } from '../../shared/model/step';
import { fail } from './failure';
import { processStart } from './process-identity';

export const DEFAULT_STATE_DIR = '/var/lib/netns-studio';
const FILE = 'journal.jsonl';

/** The state dir: explicit option, then $NETNS_STUDIO_STATE_DIR, then /var/lib/netns-studio. */
export function stateDirOf(explicit?: string): string {
  return explicit || process.env.NETNS_STUDIO_STATE_DIR || DEFAULT_STATE_DIR;
}

export type JournalKind = 'apply' | 'destroy' | 'recover';

export type JournalRecord =
  | { t: 'begin'; v: 1; kind: JournalKind; pid: number; /** the owner's start time (./process-identity.ts) */ start?: string; at: string; steps: Step[]; meta?: Record<string, unknown> }
  | { t: 'run'; idx: number[] }
  | { t: 'pid'; pid: number }
  | { t: 'done'; idx: number[] }
  | { t: 'rollback' }
  | { t: 'undone'; idx: number[] }
  /** the transaction took effect; `ownership` is the record to save (replayed by recovery) */
  | { t: 'commit'; ownership?: unknown };

export class Journal {
  private fd: number;
  private closed = false;

  private constructor(readonly path: string, fd: number) {
    this.fd = fd;
  }

  /** Start a transaction; refuses when an unfinished journal exists (recover first). */
  static begin(stateDir: string, kind: JournalKind, steps: Step[], meta?: Record<string, unknown>): Journal {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const path = join(stateDir, FILE);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        fail('journal-pending', `an unfinished apply journal exists at ${path}: another apply is running, or the helper stopped mid-apply (recover first)`, { path });
      }
      throw e;
    }
    const j = new Journal(path, fd);
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

/** Read an unfinished journal, or undefined when there is none. A torn last line is ignored. */
export function readJournal(stateDir: string): JournalState | undefined {
  const path = join(stateDir, FILE);
  if (!existsSync(path)) return undefined;
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
    path, kind: begin.kind, pid: begin.pid, start: begin.start, steps: begin.steps, meta: begin.meta,
    done: new Set(), inFlight: new Set(), undone: new Set(), rollingBack: false, committed: false, pids: [],
  };
  for (const r of recs.slice(1)) {
    if (r.t === 'run') r.idx.forEach((i) => st.inFlight.add(i));
    else if (r.t === 'done') r.idx.forEach((i) => { st.done.add(i); st.inFlight.delete(i); });
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
