/**
 * The elevated HelperLink with everything real but the graphical prompt: the real
 * helper process, the real connect-back Unix socket and secret, and our command
 * string run exactly as @vscode/sudo-prompt runs it on Linux (`/bin/bash -c
 * "echo SUDOPROMPT; …"` with `"` escaped) — only pkexec's dialog is replaced by
 * a stand-in that accepts or cancels. Inside a sandbox (the helper is wrapped with
 * nsenter), as root.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, describe, it, mock } from 'node:test';
import type { HelperStatus, HostSnapshot, Result } from '../shared/backend';
import { AUTH_MAGIC } from '../shared/protocol/messages';
import { createSession } from '../shell-core/session';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';
import { bundledHelper, createElevatedHelperLink, elevatedLaunch, ELEVATION_CANCELLED, type SudoExec } from './elevated-helper-link';

const skip = kernelSkipReason();
if (skip) console.log(`skipping elevated helper link tests: ${skip}`);

interface Prompt {
  /** what sudo-prompt was asked to run */
  commands: string[];
  /** the private directory and secret file as they were when the prompt appeared */
  seen: { dirMode: number; secretMode: number; socket: string; secretFile: string }[];
  answer: 'accept' | 'cancel';
  /** before accepting: an impostor connects to the socket with a wrong secret */
  impostor?: boolean;
  impostorClosed?: boolean;
  exec: SudoExec;
}

/** sudo-prompt on Linux, minus pkexec's dialog (we are root already). */
function fakePrompt(): Prompt {
  const p: Prompt = {
    commands: [],
    seen: [],
    answer: 'accept',
    exec: (cmd, _opts, cb) => {
      p.commands.push(cmd);
      const socket = /'--connect' '([^']+)'/.exec(cmd)?.[1] ?? '';
      const secretFile = /'--secret-file' '([^']+)'/.exec(cmd)?.[1] ?? '';
      p.seen.push({ dirMode: statSync(dirname(socket)).mode & 0o777, secretMode: statSync(secretFile).mode & 0o777, socket, secretFile });
      if (p.answer === 'cancel') return setTimeout(() => cb(new Error('User did not grant permission.')), 10);
      const go = () => {
        const child = spawn('/bin/sh', ['-c', `/bin/bash -c "echo SUDOPROMPT; ${cmd.replace(/"/g, '\\"')}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => cb(code === 0 ? undefined : new Error(`Command failed: ${cmd}\n${err}`), out, err));
      };
      if (!p.impostor) return go();
      const s = connect(socket, () => s.write(JSON.stringify({ auth: AUTH_MAGIC, secret: 'f'.repeat(64), pid: 1 }) + '\n'));
      s.on('error', () => {});
      s.on('close', () => {
        p.impostorClosed = true;
        go();
      });
    },
  };
  return p;
}

/**
 * The bundled helper as an install holds it: root elevates only a root-owned path
 * that no one else can write on its way to `/` (./root-owned-install.ts). A clone
 * under /tmp (mode 1777) is not one, so the bundle is copied under /run.
 */
let installDir: string | undefined;
function installedHelper(): string {
  if (!installDir) {
    installDir = mkdtempSync('/run/nst-elev-');
    cpSync(join(import.meta.dirname, '..', 'dist', 'node'), installDir, { recursive: true });
  }
  return join(installDir, 'helper.cjs');
}
after(() => installDir && rmSync(installDir, { recursive: true, force: true }));

const wrapFor = (sb: Sandbox) => ({ wrap: ['nsenter', `--net=/run/netns/${sb.hostNs}`], entry: installedHelper() });

describe('elevated helper link (sudo-prompt stand-in, real helper and socket)', { skip }, () => {
  it('connects back over a private socket, proves itself, serves the session', async () => {
    await withSandbox('elev', async (sb) => {
      await sb.bash('ip netns add ${P}ns1');
      const prompt = fakePrompt();
      prompt.impostor = true;
      const link = createElevatedHelperLink({ appDir: '/nonexistent', launch: wrapFor(sb), exec: prompt.exec, connectTimeoutMs: 30_000 });
      const session = createSession(link, () => {});
      try {
        assert.equal(link.status().state, 'idle', 'nothing is started (no prompt) until needed');
        assert.equal(prompt.commands.length, 0);
        // first need: a discover starts the helper (one prompt)
        const d = (await session.handle('discover', {})) as Result<HostSnapshot>;
        assert.ok(d.ok, JSON.stringify(d));
        assert.ok(d.value.document.namespaces.some((n) => n.name === sb.ns('ns1')));
        const s = link.status();
        assert.equal(s.state, 'connected');
        assert.equal(s.transport, 'socket');
        assert.equal(s.uid, 0);
        assert.equal(prompt.commands.length, 1);

        const seen = prompt.seen[0];
        assert.equal(seen.dirMode, 0o700, 'private directory');
        assert.equal(seen.secretMode, 0o600, 'secret readable by its owner only');
        assert.ok(prompt.impostorClosed, 'a connection with the wrong secret was dropped');
        assert.equal(existsSync(dirname(seen.socket)), false, 'socket directory removed once connected');
        assert.doesNotMatch(prompt.commands[0], /[0-9a-f]{64}/, 'no secret on the command line');
      } finally {
        session.close();
        await link.close();
      }
    });
  });

  it("a cancelled prompt is retryable; a dead helper is not restarted behind the person's back", async () => {
    await withSandbox('elevc', async (sb) => {
      const prompt = fakePrompt();
      prompt.answer = 'cancel';
      const link = createElevatedHelperLink({ appDir: '/nonexistent', launch: wrapFor(sb), exec: prompt.exec, connectTimeoutMs: 30_000 });
      const statuses: HelperStatus[] = [];
      link.onStatus((s) => statuses.push(s));
      try {
        const s = await link.connect();
        assert.equal(s.state, 'failed');
        assert.equal(s.error?.code, ELEVATION_CANCELLED);
        assert.equal(s.canRetry, true);
        const r = await link.call('discover', {});
        assert.ok(!r.ok && r.error.code === ELEVATION_CANCELLED, 'no second prompt for a request after a cancel');
        assert.equal(prompt.commands.length, 1);

        prompt.answer = 'accept';
        assert.equal((await link.connect()).state, 'connected');
        const hello = await link.call('hello', {});
        assert.ok(hello.ok);
        statuses.length = 0;
        // a restart would be a timer set when the death is seen: mocked timers let the test run
        // every such timer at once instead of sleeping and hoping it fired
        const sawFailure = new Promise<void>((resolve) => link.onStatus((s) => s.state === 'failed' && resolve()));
        mock.timers.enable({ apis: ['setTimeout'] });
        try {
          process.kill((hello.value as { pid: number }).pid, 'SIGKILL');
          await sawFailure;
          mock.timers.tick(3_600_000);
        } finally {
          mock.timers.reset();
        }
        assert.deepEqual(
          statuses.map((s) => s.state),
          ['failed'],
          'stays failed: restarting would prompt out of the blue',
        );
        assert.equal(link.status().state, 'failed');
        assert.equal(prompt.commands.length, 2);
        assert.equal((await link.connect()).state, 'connected', 'Retry prompts again');
        assert.equal(prompt.commands.length, 3);
      } finally {
        await link.close();
      }
    });
  });
});

describe('what the elevated command runs', () => {
  it('the app from a checkout runs the helper bundle Forge built (the sources when asked for, or when none is built); plain Node needs no ELECTRON_RUN_AS_NODE', () => {
    const root = mkdtempSync(join(tmpdir(), 'nst-checkout-'));
    const env = process.env.NETNS_STUDIO_FROM_SOURCE;
    try {
      delete process.env.NETNS_STUDIO_FROM_SOURCE;
      mkdirSync(join(root, 'helper'));
      writeFileSync(join(root, 'helper', 'main.ts'), '');
      assert.equal(bundledHelper(join(root, '.vite', 'build')), join(root, 'helper', 'main.ts'), 'no bundle built: the sources');
      mkdirSync(join(root, '.vite', 'helper'), { recursive: true });
      writeFileSync(join(root, '.vite', 'helper', 'helper.cjs'), '');
      assert.equal(bundledHelper(join(root, '.vite', 'build')), join(root, '.vite', 'helper', 'helper.cjs'), 'the bundle');
      process.env.NETNS_STUDIO_FROM_SOURCE = '1';
      assert.equal(bundledHelper(join(root, '.vite', 'build')), join(root, 'helper', 'main.ts'), 'sources asked for');
    } finally {
      if (env === undefined) delete process.env.NETNS_STUDIO_FROM_SOURCE;
      else process.env.NETNS_STUDIO_FROM_SOURCE = env;
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(bundledHelper('/nonexistent/app/.vite/build'), undefined);
    assert.deepEqual(
      elevatedLaunch({ wrap: ['nsenter'] }).wrap,
      process.versions.electron ? ['/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', 'nsenter'] : ['nsenter'],
    );
  });
});
