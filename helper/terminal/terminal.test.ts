/**
 * Terminals on the real kernel: a real helper in a sandbox opens a shell in
 * namespace `a` on a pty; `ip -br addr` typed into it shows a's interfaces (and
 * not the sandbox host's); a resize reaches the shell's terminal (`stty size`);
 * terminals are limited per connection, refused for namespaces not on the host,
 * and their shells end when the terminal is closed or the connection goes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { HelperClient } from '../client';
import { MAX_TERMINALS, type TerminalEvent } from '../../shared/protocol/methods';
import { startSandboxHelper } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { until, waitUntil } from '../../testing/until';
import { PAIR, buildPair } from '../../testing/veth-pair';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping terminal kernel tests: ${skip}`);

async function openTerm(h: HelperClient, namespace: string, size = { cols: 120, rows: 30 }) {
  const t = { text: '', exit: undefined as TerminalEvent | undefined, id: 0 as string | number };
  const sub = await h.subscribe(
    'terminal.open',
    { namespace, ...size },
    (e) => {
      const ev = e.data as TerminalEvent;
      if (ev.type === 'output') t.text += ev.data;
      else t.exit = ev;
    },
    'terminal.close',
  );
  t.id = sub.id;
  const type = (line: string) => h.request('terminal.input', { subscription: sub.id, data: `${line}\r` });
  return { t, type, sub };
}

test('a terminal in a namespace runs `ip -br addr` there and shows its interfaces; resize reaches the shell', { skip, timeout: 60_000 }, async () => {
  await withSandbox('term', async (sb) => {
    await buildPair(sb);
    const h = await startSandboxHelper(sb, { confirm: 'client' });
    try {
      const { t, type } = await openTerm(h, sb.ns('a'));
      await waitUntil('a prompt naming the namespace', () => t.text.includes(`netns:${sb.ns('a')}`), 15_000);
      await type('ip -br addr; echo DONE-$((6*7))');
      await waitUntil('ip -br addr output', () => t.text.includes('DONE-42'), 15_000);
      const out = t.text.slice(t.text.lastIndexOf('ip -br addr'));
      assert.match(out, /^lo\s+UNKNOWN\s+127\.0\.0\.1\/8/m);
      assert.match(out, new RegExp(`^a1@if\\d+\\s+UP\\s+${PAIR.a.replace(/\./g, '\\.')}/24`, 'm'));
      assert.doesNotMatch(out, /^b1/m, "b's end is not in a");

      await type('stty size; echo SIZE-DONE');
      await waitUntil('stty size', () => /\nSIZE-DONE\r?\n/.test(t.text.slice(t.text.lastIndexOf('stty size;'))), 15_000);
      assert.match(t.text.slice(t.text.lastIndexOf('stty size;')), /^30 120\r?$/m);
      await h.request('terminal.resize', { subscription: t.id, cols: 100, rows: 40 });
      const mark = t.text.length;
      await type('stty size; echo SIZE2-DONE');
      await waitUntil('stty size after resize', () => /\nSIZE2-DONE\r?\n/.test(t.text.slice(mark)), 15_000);
      assert.match(t.text.slice(mark), /^40 100\r?$/m);

      await type('exit');
      await waitUntil('the shell to exit', () => t.exit !== undefined, 15_000);
      assert.deepEqual(t.exit, { type: 'exit', code: 0 });
    } finally {
      await h.close();
    }
  });
});

test(
  'terminals: at most MAX_TERMINALS per connection, unknown namespaces refused, shells hung up on close and on disconnect',
  { skip, timeout: 60_000 },
  async () => {
    await withSandbox('termlim', async (sb) => {
      await buildPair(sb);
      const h = await startSandboxHelper(sb, { confirm: 'client' });
      const pids: number[] = [];
      try {
        await assert.rejects(h.request('terminal.open', { namespace: `${sb.prefix}nope`, cols: 80, rows: 24 }), /no such named namespace/);
        await assert.rejects(
          h.request('terminal.open', { namespace: '../../etc', cols: 80, rows: 24 }),
          (e: Error & { code?: string }) => e.code === 'bad-params',
        );
        const terms: Awaited<ReturnType<typeof openTerm>>[] = [];
        for (let i = 0; i < MAX_TERMINALS; i++) terms.push(await openTerm(h, sb.ns(i % 2 ? 'a' : 'b')));
        await assert.rejects(h.request('terminal.open', { namespace: sb.ns('a'), cols: 80, rows: 24 }), (e: Error & { code?: string }) => e.code === 'busy');
        for (const x of terms) {
          await x.type('echo PID=$$');
          await waitUntil('the shell pid', () => /PID=\d+\r?\n/.test(x.t.text), 15_000);
          pids.push(Number(/PID=(\d+)\r?\n/.exec(x.t.text)![1]));
        }
        assert.ok(pids.every((p) => existsSync(`/proc/${p}`)));
        // closing one hangs its shell up
        await h.request('terminal.close', { subscription: terms[0].t.id });
        await waitUntil('the closed terminal to exit', () => terms[0].t.exit !== undefined, 15_000);
        assert.ok(await until(() => !existsSync(`/proc/${pids[0]}`), 10_000), 'its shell is gone');
      } finally {
        await h.close();
      }
      // the connection went: every other shell goes with it
      assert.ok(
        await until(() => pids.slice(1).every((p) => !existsSync(`/proc/${p}`)), 10_000),
        `shells left: ${pids.filter((p) => existsSync(`/proc/${p}`))}`,
      );
    });
  },
);
