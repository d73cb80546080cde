/**
 * The link tools and pings in a namespace an unprivileged user owns (issue 15):
 * `unshare -Urn` as nobody, bound under /run/netns with a unique name (as `ip
 * netns attach` or a rootless runtime leaves one). A real helper pings from it,
 * sets netem in it and opens a terminal in it: each works, and
 * every program it ran there ran in the owner's user namespace (a /proc watcher
 * sees them), never root's. The shell itself says whose user namespace it is in.
 * A capture there and a forwarder there are refused (tcpdump cannot drop to its
 * user inside, agents cannot reach their state dir), and nothing is left running.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TerminalEvent } from '../../shared/protocol/methods';
import { processesIn, usernsSkipReason, withUsernsNetns } from '../../testing/userns-netns';
import { waitUntil } from '../../testing/until';
import { startStdioHelper } from '../client';
import { createForwarderRuntime } from '../forwarders/runtime';
import { kernelFeatures } from '../hello/features';
import { impairArgv } from '../netem/impair';
import { programPath } from '../programs';
import { runProgram } from '../proc';
import { inNetns } from '../discover/ns-owner';

const skip = usernsSkipReason();
if (skip) console.log(`# skipping the link tools in a userns-owned namespace test: ${skip}`);

test(
  'ping, netem and a terminal in a namespace an unprivileged user owns run as that owner, never as root; captures and forwarders are refused there',
  { skip, timeout: 120_000 },
  async () => {
    const ip = programPath('ip');
    await withUsernsNetns(
      'usrtool',
      `${ip} link set lo up && ${ip} link add d0 type veth peer name d1 && ${ip} link set d0 up && ${ip} link set d1 up`,
      async (ns) => {
        const root = readlinkSync('/proc/self/ns/user');
        const h = await startStdioHelper({ confirm: 'client' });
        let shell = '';
        try {
          const seen = await processesIn(ns.netnsLink, /^(ping|tc|tcpdump|script|bash|sh|readlink)$/, async () => {
            // three pings across the owner's loopback
            const pinged = await h.request('ping', { pings: [{ from: ns.name, to: '127.0.0.1', count: 3 }] });
            assert.equal(pinged.results[0]?.ok, true, JSON.stringify(pinged.results));
            // a capture: tcpdump could not switch to its user there, and root does not capture there
            await assert.rejects(
              h.request('capture.start', { namespace: ns.name, interface: 'lo', count: 2, durationMs: 5000 }),
              (e: Error & { code?: string }) => e.code === 'capture-refused' && /owned by an unprivileged user namespace/.test(e.message),
            );

            // netem on the owner's veth end, where the kernel has it (tc enters as the owner, like the rest)
            assert.deepEqual(
              impairArgv({ namespace: ns.name, interface: 'd0', delayMs: 5 })!.slice(0, 1),
              [programPath('perl')],
              'tc goes through ns-owner.pl --exec',
            );
            if ((await kernelFeatures()).netem) {
              await h.request('link.impair', { namespace: ns.name, interface: 'd0', delayMs: 5 });
              const shown = await runProgram(inNetns(ns.path, [programPath('tc'), 'qdisc', 'show', 'dev', 'd0'], true));
              assert.match(shown.stdout, /netem .*delay 5ms/, shown.stderr);
              await h.request('link.impair', { namespace: ns.name, interface: 'd0', clear: true });
            } else console.log('# netem part not run: this kernel has no sch_netem');

            // a terminal: its shell says whose user namespace it is in
            let exit: TerminalEvent | undefined;
            const term = await h.subscribe(
              'terminal.open',
              { namespace: ns.name, cols: 100, rows: 30 },
              (e) => {
                const ev = e.data as TerminalEvent;
                if (ev.type === 'output') shell += ev.data;
                else exit = ev;
              },
              'terminal.close',
            );
            await h.request('terminal.input', { subscription: term.id, data: 'echo "USERNS=$(readlink /proc/self/ns/user)"; sleep 0.3; echo DONE-$((6*7))\r' });
            await waitUntil(`the shell's answer (${shell})`, () => shell.includes('DONE-42'), 20_000);
            await h.request('terminal.input', { subscription: term.id, data: 'exit\r' });
            await waitUntil('the shell to exit', () => exit !== undefined, 15_000);
          });
          assert.match(shell, new RegExp(`USERNS=${ns.ownerUserns.replace(/[[\]]/g, '\\$&')}`), "the shell runs in the owner's user namespace");
          assert.ok(
            seen.some((s) => s.startsWith('ping ')) && seen.some((s) => s.startsWith('bash ') || s.startsWith('sh ')),
            `the watcher saw the programs: ${seen.join(', ')}`,
          );
          assert.ok(!seen.some((s) => s.startsWith('tcpdump ')), 'no tcpdump ran there');
          const asRoot = seen.filter((s) => !s.endsWith(ns.ownerUserns));
          assert.deepEqual(asRoot, [], `programs that ran there in root's user namespace (${root})`);
        } finally {
          await h.close();
        }

        // a forwarder there: refused before any agent starts
        const dir = mkdtempSync(join(tmpdir(), 'nst-usrtool-fw-'));
        try {
          const rt = createForwarderRuntime({ dir });
          const port = 20_000 + Math.floor(Math.random() * 20_000);
          await assert.rejects(
            rt.start({
              name: `${ns.name}fw`,
              protocol: 'tcp',
              listen: { namespace: ns.name, address: '127.0.0.1', port },
              target: { namespace: ns.name, address: '127.0.0.1', port: 9 },
            }),
            /owned by an unprivileged user namespace/,
          );
          assert.deepEqual(await rt.list(), []);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
