import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyFailure } from './failure';
import { clearStaleLock, Journal, pendingJournalPath, readJournal } from './journal';

const code = (c: string) => (e: unknown) => e instanceof ApplyFailure && e.code === c;

test('one transaction per state dir across topologies: the lock is taken before the journal and goes with it', () => {
  const state = mkdtempSync(join(tmpdir(), 'nss-lock-'));
  try {
    const a = join(state, 'topologies', 'a');
    const b = join(state, 'topologies', 'b');
    const ja = Journal.begin(a, 'apply', [], { topology: 'a' }, state);
    assert.ok(existsSync(join(state, 'transaction.lock')));
    assert.equal(pendingJournalPath(state), join(a, 'journal.jsonl'));
    assert.equal(readJournal(state)?.meta?.topology, 'a');
    // another topology's transaction waits (this one is ours and unfinished: as after a crash, recover first)
    assert.throws(() => Journal.begin(b, 'apply', [], {}, state), code('journal-pending'));
    ja.finish();
    assert.equal(existsSync(join(state, 'transaction.lock')), false);
    assert.equal(pendingJournalPath(state), undefined);
    Journal.begin(b, 'apply', [], {}, state).finish();
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
});

test('a lock held by a live process means busy; a stale one (dead pid, no journal) is cleared', async () => {
  const state = mkdtempSync(join(tmpdir(), 'nss-lock-'));
  const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  try {
    await new Promise((r) => other.once('spawn', r));
    writeFileSync(join(state, 'transaction.lock'), JSON.stringify({ pid: other.pid, journal: join(state, 'topologies', 'x', 'journal.jsonl') }));
    assert.throws(
      () => Journal.begin(join(state, 'topologies', 'y'), 'apply', [], {}, state),
      (e: unknown) => code('busy')(e) && new RegExp(`pid ${other.pid}`).test((e as Error).message),
    );
    clearStaleLock(state);
    assert.ok(existsSync(join(state, 'transaction.lock')), 'a live holder keeps its lock');
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    clearStaleLock(state);
    assert.equal(existsSync(join(state, 'transaction.lock')), false, 'its process gone, no journal: stale');
    writeFileSync(join(state, 'transaction.lock'), '{"pid": 1'); // torn
    Journal.begin(join(state, 'topologies', 'y'), 'apply', [], {}, state).finish();
  } finally {
    other.kill('SIGKILL');
    rmSync(state, { recursive: true, force: true });
  }
});
