/**
 * On start, before anything else: find an unfinished journal and bring the host
 * back to a known state. `rollback` (the default) undoes every step that started;
 * `finish` runs the steps that had not finished (a step seen starting may already
 * be there: "exists" counts as done) and rolls everything back if that fails.
 */
import { isSameRootProcess } from './process-identity';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fail, type Failure } from './failure';
import { executeSteps, rollback, type ExecuteOptions } from './executor';
import { clearStaleLock, Journal, readJournal, type JournalState } from './journal';
import { loadOwnership, saveOwnership, type Ownership } from '../ownership/store';
import { recordApplied } from '../ownership/ledger';
import { noteRecovered } from '../ownership/topologies';
import { detachLeftovers } from './attach-names';

export interface RecoveryReport {
  /** what the journal was for */
  kind: string;
  /** committed: only the ownership record had to be saved */
  outcome: 'committed' | 'rolled-back' | 'finished';
  /** steps undone (rollback) or run (finish) */
  steps: number;
  errors: unknown[];
  journal: string;
}

export interface RecoverOptions extends ExecuteOptions {
  mode?: 'rollback' | 'finish';
}

/** A killed helper's `ip -batch` child goes on reading its input: let it finish first. */
async function waitForChildren(pids: number[], timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (const pid of pids) {
    while (Date.now() < until && existsSync(`/proc/${pid}`)) {
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        break;
      }
      if (!/(^|\/)(ip|iptables|sysctl|nsenter|xargs|perl)\0/.test(cmd)) break; // reused pid (xargs and perl: ./fanout.ts, ./netlink-lanes.ts)
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

export async function recover(stateDir: string, opts: RecoverOptions = {}): Promise<RecoveryReport | undefined> {
  const st = readJournal(stateDir);
  if (!st) {
    clearStaleLock(stateDir);
    await detachLeftovers(stateDir, opts.wrap);
    return undefined;
  }
  const rep = await recoverJournal(st, opts);
  clearStaleLock(stateDir);
  // after the rollback, which may still have needed them: the external namespaces' names a killed call left
  await detachLeftovers(stateDir, opts.wrap);
  // a topology's journal sits in its record directory: its history says what happened
  const name = typeof st.meta?.topology === 'string' ? st.meta.topology : undefined;
  if (name && basename(dirname(st.path)) === name) noteRecovered(dirname(st.path), name, { kind: rep.kind, outcome: rep.outcome, steps: rep.steps });
  return rep;
}

async function recoverJournal(st: JournalState, opts: RecoverOptions): Promise<RecoveryReport> {
  if (isSameRootProcess(st.pid, st.start)) fail('busy', `another helper (pid ${st.pid}) is applying right now`, { pid: st.pid });
  await waitForChildren(st.pids);
  const journal = Journal.resume(st.path);
  // the record the journal belongs to sits beside it (a topology's directory)
  const recordDir = dirname(st.path);
  {
    if (st.committed) {
      if (st.ownership) saveOwnership(recordDir, st.ownership as Ownership);
      journal.finish();
      return { kind: st.kind, outcome: 'committed', steps: 0, errors: [], journal: st.path };
    }
    if ((opts.mode ?? 'rollback') === 'finish' && !st.rollingBack && st.kind === 'apply') {
      return await finish(recordDir, st, journal, opts);
    }
    journal.write({ t: 'rollback' });
    const todo = [...st.done, ...st.inFlight].filter((i) => !st.undone.has(i));
    const rb = await rollback(st.steps, todo, { ...opts, journal });
    journal.finish();
    return { kind: st.kind, outcome: 'rolled-back', steps: todo.length, errors: rb.errors, journal: st.path };
  }
}

async function finish(recordDir: string, st: JournalState, journal: Journal, opts: RecoverOptions): Promise<RecoveryReport> {
  const rest = st.steps.map((_, i) => i).filter((i) => !st.done.has(i));
  // steps seen starting may have taken effect: run them one by one, "exists" = done
  const sub = rest.map((i) => st.steps[i]);
  const r = await executeSteps(sub, {
    ...opts,
    journal: undefined,
    parallel: false,
    tolerateExisting: new Set(rest.map((i, k) => (st.inFlight.has(i) ? k : -1)).filter((k) => k >= 0)),
  });
  if (!r.ok) {
    // the unfinished part was rolled back by executeSteps; now the part done before the crash
    journal.write({ t: 'rollback' });
    const rb = await rollback(st.steps, [...st.done], { ...opts, journal });
    journal.finish();
    const err: Failure = r.error;
    return { kind: st.kind, outcome: 'rolled-back', steps: st.done.size, errors: [err, ...rb.errors], journal: st.path };
  }
  const applied = [...st.done, ...r.applied.map((k) => rest[k])];
  const ownership = recordApplied(loadOwnership(recordDir), st.steps, applied);
  journal.write({ t: 'commit', ownership });
  saveOwnership(recordDir, ownership);
  journal.finish();
  return { kind: st.kind, outcome: 'finished', steps: rest.length, errors: [], journal: st.path };
}
