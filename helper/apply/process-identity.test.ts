/**
 * Recovery and the journal's owner (issue 15): the owner counts as alive only
 * when its pid runs as root and started when the journal says. A user's `node`
 * on that pid, or a root process that merely reuses it, does not block recovery
 * (the old check accepted any process whose command line matched node|tsx).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSameRootProcess, processStart } from './process-identity';
import { recover } from './recovery';
import { ApplyFailure } from './failure';

const root = process.getuid?.() === 0;
const canDrop = root && spawnSync('setpriv', ['--version']).status === 0;

async function started(argv: string[]): Promise<ChildProcess> {
  const c = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise((r) => c.stdout!.once('data', r));
  return c;
}
const NODE_WAITS = [process.execPath, '-e', 'console.log("up"); setTimeout(() => {}, 60000)'];

function journalOf(dir: string, pid: number, start?: string) {
  writeFileSync(
    join(dir, 'journal.jsonl'),
    JSON.stringify({ t: 'begin', v: 1, kind: 'apply', pid, ...(start ? { start } : {}), at: new Date().toISOString(), steps: [] }) + '\n',
  );
}

test('a root process is known by pid and start time', { skip: root ? false : 'needs root' }, async () => {
  const c = await started(NODE_WAITS);
  try {
    const start = processStart(c.pid!);
    assert.match(start ?? '', /^\d+$/);
    assert.equal(isSameRootProcess(c.pid!, start), true);
    assert.equal(isSameRootProcess(c.pid!, String(Number(start) + 1)), false, 'same pid, another start: a reused pid');
  } finally {
    c.kill();
  }
});

test(
  "recovery is not blocked by a user's node process on the journal's pid, nor by a reused pid",
  { skip: canDrop ? false : 'needs root and setpriv' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-recover-'));
    const user = await started(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...NODE_WAITS]);
    const mine = await started(NODE_WAITS);
    try {
      // the owner alive (root, right start time): recovery refuses, as before
      journalOf(dir, mine.pid!, processStart(mine.pid!));
      await assert.rejects(recover(dir), (e) => e instanceof ApplyFailure && e.code === 'busy');
      // a root process on that pid that started at another time: a dead owner, rolled back
      journalOf(dir, mine.pid!, String(Number(processStart(mine.pid!)) + 1));
      assert.equal((await recover(dir))?.outcome, 'rolled-back');
      // an old journal without start time, its pid now an unprivileged user's node: not the owner
      journalOf(dir, user.pid!);
      assert.equal((await recover(dir))?.outcome, 'rolled-back');
    } finally {
      user.kill();
      mine.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
