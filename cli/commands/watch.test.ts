/** `netns-studio watch` as a person runs it: a child process in a sandbox (host = the sandbox), read line by line, stopped with SIGTERM. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { runOk } from '../../testing/run';
import { runCli } from '../../testing/cli-runner';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping CLI watch tests: ${skip}`);
const cli = join(import.meta.dirname, '../../bin/netns-studio.mjs');

test('watch --help says what it prints', () => {
  const r = runCli(['watch', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /one JSON line per change/);
  assert.match(r.stdout, /--only-prefix/);
  assert.match(r.stdout, /resync/);
});

test('watch prints a resync, then one JSON line per change, until stopped', { skip, timeout: 60_000 }, async () => {
  await withSandbox('cliwatch', async (sb) => {
    const child = spawn('nsenter', [`--net=/run/netns/${sb.hostNs}`, process.execPath, cli, 'watch', '--only-prefix', sb.prefix, '--strip-prefix'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const lines: Record<string, unknown>[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(JSON.parse(l));
      waiters.splice(0).forEach((w) => w());
    });
    const line = async (pred: (o: Record<string, unknown>) => boolean, what: string) => {
      const until = Date.now() + 15_000;
      for (;;) {
        const hit = lines.find(pred);
        if (hit) return hit;
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no line ${what}; got ${JSON.stringify(lines)}; stderr ${stderr}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    };
    try {
      const first = await line((o) => o.type === 'resync', 'resync');
      assert.equal(first.seq, 1);
      assert.deepEqual(first.namespaces, []);
      await runOk(['ip', 'netns', 'add', sb.ns('a')]);
      await line((o) => o.type === 'namespace-added' && o.namespace === 'a', 'namespace-added a');
      await runOk(['ip', '-n', sb.ns('a'), 'addr', 'add', '10.73.0.1/32', 'dev', 'lo']);
      const changed = await line((o) => o.type === 'namespace-changed' && JSON.stringify(o.observed).includes('10.73.0.1/32'), 'address added');
      assert.equal(typeof changed.time, 'string');
      assert.ok(!('document' in changed), 'compact lines without --full');
      await runOk(['ip', 'netns', 'del', sb.ns('a')]);
      await line((o) => o.type === 'namespace-removed' && o.namespace === 'a', 'namespace-removed a');
      const seqs = lines.map((o) => o.seq);
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i + 1),
        'seq counts up by one',
      );
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (c) => r(c))));
    assert.equal(code, 0, `stopped cleanly: ${stderr}`);
  });
});
