/**
 * `sudo netns-studio serve` runs only helpers as root (issue 15): started as root
 * with sudo's SUDO_UID/SUDO_GID (here 65534, nobody), the process that listens on
 * the port, serves the UI and would run the vite build is that user with no
 * capabilities; its helper is root, a child of the small root supervisor; the
 * page's WebSocket still reaches the helper (status connected as uid 0), and a
 * helper killed by hand is started again, as root, by the supervisor. In a sandbox
 * host namespace, the live view limited to the sandbox's prefix.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createRequire } from 'node:module';
import { cliPath, projectRoot } from '../testing/cli-runner';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { RENDERER_DIR, ensureRenderer } from './serve';
import { TRUSTED_CLI } from '../testing/trust-env';
import { SERVE_URL_RE, SESSION_SCRIPT } from '../testing/serve-url';
import { firstValue } from '../testing/until';

/** `f`'s first defined value, polled: `firstValue` with this file's option names. */
const until = <T>(f: () => T | undefined | Promise<T | undefined>, o: { timeoutMs: number; what: string | (() => string) }) =>
  firstValue(o.what, f, o.timeoutMs);

const skip = kernelSkipReason() ?? (process.getuid?.() !== 0 ? 'needs root (serve splits only when root)' : undefined);
if (skip) console.log(`# skipping the serve privilege split test: ${skip}`);

function status(pid: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}
const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
};
const uids = (pid: number) => status(pid).Uid!.split(/\s+/).map(Number);
const isHelper = (pid: number) => cmdline(pid).some((a) => /helper\.(cjs|ts)$|helper\/main\.ts$/.test(a));

// what the page gets first over its WebSocket (the helper's status), from inside the sandbox host
const STATUS_CLIENT = `const W=require(process.argv[3]);const u=new URL(process.argv[1]);
const ws=new W('ws://'+u.host+'/ws?token='+process.argv[2],{origin:u.origin});
ws.on('message',(d)=>{console.log(JSON.stringify(JSON.parse(String(d)).payload));process.exit(0)});ws.on('error',(e)=>{console.log(JSON.stringify({state:'error:'+e.message}));process.exit(0)})`;

test('sudo serve: the web server runs as SUDO_UID without capabilities, only its helpers as root, restarts included', { skip, timeout: 120_000 }, async () => {
  // built here, as root: the web server (nobody) cannot write into this checkout
  assert.ok(
    ensureRenderer(RENDERER_DIR, (l) => console.log(l)),
    'the UI builds',
  );
  await withSandbox('servepriv', async (sb) => {
    const wsModule = createRequire(import.meta.url).resolve('ws');
    // the address's one-time code, traded once for a session (as the page does), from inside the sandbox host
    let secret: string | undefined;
    const helperStatus = async (url: string): Promise<{ state: string; uid?: number }> => {
      if (secret === undefined) {
        const r = await sb.inHost([process.execPath, '-e', SESSION_SCRIPT, url]);
        assert.equal(r.code, 0, `POST /session: ${r.stderr}`);
        secret = r.stdout.trim();
      }
      return JSON.parse((await sb.inHost([process.execPath, '-e', STATUS_CLIENT, url, secret, wsModule])).stdout);
    };
    // the helper's records: a state dir of our own, never the machine's (--trust-env: root honours it)
    const state = mkdtempSync(join(tmpdir(), 'nst-servepriv-'));
    after(() => rmSync(state, { recursive: true, force: true }));
    const child = spawn(
      '/usr/bin/nsenter',
      [`--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, TRUSTED_CLI, 'serve', '--no-open', '--port', '0', '--only-prefix', sb.prefix],
      {
        cwd: projectRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SUDO_UID: '65534', SUDO_GID: '65534', SUDO_USER: 'nobody', DISPLAY: '', NETNS_STUDIO_STATE_DIR: state },
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const url = await until(() => SERVE_URL_RE.exec(out)?.[0], { timeoutMs: 60_000, what: () => `serve's URL:\n${out}` });
      const root = child.pid!;
      assert.deepEqual(uids(root), [0, 0, 0, 0], 'the supervisor is root');
      // serve listens while its helper starts: once the helper runs, the other child is the web server
      const helper = await until(() => children(root).find(isHelper), { timeoutMs: 30_000, what: 'a helper under the supervisor' });
      assert.deepEqual(uids(helper), [0, 0, 0, 0], 'the helper is root');
      const web = children(root).filter((p) => !isHelper(p));
      assert.equal(web.length, 1, `one web server child: ${JSON.stringify(web.map(cmdline))}\n${out}`);
      const w = status(web[0]!);
      assert.deepEqual(uids(web[0]!), [65534, 65534, 65534, 65534], 'the web server is SUDO_UID');
      assert.equal(w.Gid!.split(/\s+/)[0], '65534');
      assert.equal(BigInt(`0x${w.CapEff}`), 0n, `web server CapEff ${w.CapEff}`);
      assert.equal(BigInt(`0x${w.CapPrm}`), 0n, `web server CapPrm ${w.CapPrm}`);
      // the port is the web server's: the listening socket is among its descriptors, not the supervisor's
      const port = Number(new URL(url).port);
      const listenInode = readFileSync(`/proc/${web[0]}/net/tcp`, 'utf8')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .find((f) => f[1]?.endsWith(`:${port.toString(16).toUpperCase().padStart(4, '0')}`) && f[3] === '0A')?.[9];
      assert.ok(listenInode, 'something listens on the port');
      const fdLinks = (pid: number) =>
        readdirSync(`/proc/${pid}/fd`).map((fd) => {
          try {
            return readlinkSync(`/proc/${pid}/fd/${fd}`);
          } catch {
            return '';
          }
        });
      assert.ok(fdLinks(web[0]!).includes(`socket:[${listenInode}]`), 'the web server holds the listening socket');
      assert.ok(!fdLinks(root).includes(`socket:[${listenInode}]`), 'the supervisor does not');

      const s = await until(
        async () => {
          const x = await helperStatus(url);
          return x.state === 'connected' ? x : undefined;
        },
        { timeoutMs: 30_000, what: 'the page sees the helper connected' },
      );
      assert.equal(s.uid, 0);

      process.kill(helper, 'SIGKILL');
      const again = await until(() => children(root).find((p) => p !== helper && isHelper(p)), {
        timeoutMs: 30_000,
        what: () => `a new helper after the kill:\n${out}`,
      });
      assert.deepEqual(uids(again), [0, 0, 0, 0]);
      await until(async () => ((await helperStatus(url)).state === 'connected' ? true : undefined), { timeoutMs: 30_000, what: 'connected again' });
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    // the supervisor took its helpers and the web server with it
    assert.match(out, /the web server runs as the user who ran sudo \(uid 65534\)/);
  });
});
