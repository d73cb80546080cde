import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { cliPath as cli, projectRoot as root } from '../../testing/cli-runner';
import { SERVE_URL_RE, sessionSecret } from '../../testing/serve-url';
import { until, within } from '../../testing/until';
import { CHECKOUT_BUNDLE_DIR, HELPER_BUNDLE } from '../../helper/bundle-files';

/** Start `serve`, wait for its URL; `prefix` runs it through another program (setpriv). */
async function serve(prefix: string[], args: string[] = [], env: NodeJS.ProcessEnv = { DISPLAY: '' }, cliFile = cli) {
  const argv = [...prefix, process.execPath, cliFile, 'serve', ...(env.DISPLAY ? [] : ['--no-open']), '--port', '0', ...args];
  const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL:\n${out}`)), 30_000);
    const look = () => {
      const m = SERVE_URL_RE.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(m[0]);
      }
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.on('exit', (c) => reject(new Error(`exited ${c}:\n${out}`)));
  });
  return {
    url,
    out: () => out,
    async stop() {
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** What the page gets first over its WebSocket, once it has traded the address's one-time code for a session. */
async function firstStatus(url: string): Promise<any> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${await sessionSecret(url)}`, { origin: u.origin });
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      ws.close();
      resolve(JSON.parse(d.toString()));
    });
    ws.on('error', reject);
  });
}

/** Every frame a page's WebSocket (after trading the address's code) receives, as they come. */
async function frames(url: string) {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${await sessionSecret(url)}`, { origin: u.origin });
  const seen: any[] = [];
  let wake = () => {};
  ws.on('message', (d) => {
    seen.push(JSON.parse(d.toString()));
    wake();
  });
  return {
    /** the first frame (from `from` on) that `f` accepts */
    async next(f: (m: any) => boolean, from = 0): Promise<any> {
      for (let i = from; ; i++) {
        while (i >= seen.length) await new Promise<void>((r) => (wake = r));
        if (f(seen[i])) return seen[i];
      }
    },
    close: () => ws.close(),
  };
}

const canDropRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe('netns-studio serve', () => {
  it('rejects a bad port', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--port', '70000', '--no-open'], { cwd: root, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /port/);
  });

  it(
    'as a normal user: explains that live features need root, and still serves the editor',
    { skip: canDropRoot ? false : 'needs root and setpriv to run as another user' },
    async () => {
      const s = await serve(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
      try {
        assert.match(s.out(), /live features .* need root/);
        const res = await fetch(s.url, { redirect: 'manual' });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('set-cookie'), null, 'no cookie: it would reach every port of 127.0.0.1');
        const status = await firstStatus(s.url);
        assert.equal(status.event, 'status');
        assert.equal(status.payload.state, 'unavailable');
        assert.match(status.payload.error.message, /need root/);
      } finally {
        await s.stop();
      }
    },
  );

  it(
    'listens before its helper is up: the page is served and the UI sees the helper connecting, then connected',
    { skip: process.getuid?.() === 0 ? false : 'needs root (serve starts the helper only as root)' },
    async () => {
      // an install (bin, dist/node, dist/renderer) whose helper waits for a gate file before it starts
      assert.equal(spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' }).status, 0);
      const dir = mkdtempSync(join(tmpdir(), 'nss-serve-gate-'));
      chmodSync(dir, 0o755); // the web server runs as another user
      mkdirSync(join(dir, 'bin'));
      cpSync(join(root, 'bin', 'netns-studio.mjs'), join(dir, 'bin', 'netns-studio.mjs'));
      cpSync(join(root, CHECKOUT_BUNDLE_DIR), join(dir, CHECKOUT_BUNDLE_DIR), { recursive: true });
      cpSync(join(root, 'dist', 'renderer'), join(dir, 'dist', 'renderer'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
      const bundles = join(dir, CHECKOUT_BUNDLE_DIR);
      const gate = join(bundles, 'gate');
      renameSync(join(bundles, HELPER_BUNDLE), join(bundles, 'helper-gated.cjs'));
      writeFileSync(
        join(bundles, HELPER_BUNDLE),
        `const fs = require('fs');\n(function wait() { if (fs.existsSync(${JSON.stringify(gate)})) require('./helper-gated.cjs'); else setTimeout(wait, 20); })();\n`,
      );
      const s = await serve([], [], { DISPLAY: '' }, join(dir, 'bin', 'netns-studio.mjs'));
      const ws = await frames(s.url);
      try {
        const page = await fetch(s.url, { redirect: 'manual' });
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<html/i);
        const first = await ws.next((m) => m.event === 'status');
        assert.equal(first.payload.state, 'connecting', JSON.stringify(first));
        writeFileSync(gate, '');
        const connected = await within(
          ws.next((m) => m.event === 'status' && m.payload.state !== 'connecting'),
          60_000,
        );
        assert.equal(connected?.payload.state, 'connected', `${JSON.stringify(connected)}\n${s.out()}`);
      } finally {
        ws.close();
        await s.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it(
    'opens a browser with no secret on any command line: the browser gets its own one-time code in a 0600 file',
    { skip: canDropRoot ? false : 'needs root and setpriv to run as another user' },
    async () => {
      // a fake browser that records its argv and the file it was given, then stays alive while /proc is scanned
      const dir = mkdtempSync(join(tmpdir(), 'nss-browser-'));
      chmodSync(dir, 0o777);
      const fake = join(dir, 'browser');
      writeFileSync(
        fake,
        `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/argv.tmp\ncat "$1" > ${dir}/page.tmp\nstat -c %a "$1" > ${dir}/mode.tmp\necho $$ > ${dir}/pid\nmv ${dir}/argv.tmp ${dir}/argv; mv ${dir}/page.tmp ${dir}/page; mv ${dir}/mode.tmp ${dir}/mode\nexec sleep 60\n`,
        { mode: 0o755 },
      );
      const s = await serve(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], [], { DISPLAY: ':99', BROWSER: fake });
      try {
        const printedCode = new URL(s.url).searchParams.get('code')!;
        assert.ok(printedCode.length >= 20);
        if (!(await until(() => existsSync(join(dir, 'mode')), 20_000, 50))) assert.fail(`the browser was not started:\n${s.out()}`);
        const argv = readFileSync(join(dir, 'argv'), 'utf8').trim().split('\n');
        assert.equal(argv.length, 1);
        assert.match(argv[0], /\/open\.html$/);
        const page = readFileSync(join(dir, 'page'), 'utf8');
        const browserUrl = SERVE_URL_RE.exec(page)?.[0];
        assert.ok(browserUrl, `the page redirects to a serve address: ${page}`);
        assert.equal(new URL(browserUrl).port, new URL(s.url).port);
        const browserCode = new URL(browserUrl).searchParams.get('code')!;
        assert.notEqual(browserCode, printedCode, 'the browser has a code of its own: the printed one stays good for the person');
        assert.equal(readFileSync(join(dir, 'mode'), 'utf8').trim(), '600');
        // the browser's code opens a session once; replayed (someone who read the file too late) it opens nothing
        const secret = await sessionSecret(browserUrl);
        await assert.rejects(sessionSecret(browserUrl), /403/, 'a replayed code is refused');
        assert.equal((await firstStatus(s.url)).event, 'status', 'the printed address is still good');
        // every process's command line (and, as root, environment) on the machine
        const leaks: string[] = [];
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          for (const what of ['cmdline', 'environ']) {
            try {
              const text = readFileSync(`/proc/${pid}/${what}`);
              for (const [name, value] of Object.entries({ printedCode, browserCode, secret })) if (text.includes(value)) leaks.push(`${pid} ${what}: ${name}`);
            } catch {
              /* gone, or a kernel thread */
            }
          }
        }
        assert.deepEqual(leaks, []);
      } finally {
        await s.stop();
        // the fake browser (its own pid: it exec'd sleep)
        if (existsSync(join(dir, 'pid'))) {
          try {
            process.kill(Number(readFileSync(join(dir, 'pid'), 'utf8')), 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
