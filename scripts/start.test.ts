import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { SERVE_URL_RE, sessionSecret } from '../testing/serve-url';

const root = join(import.meta.dirname, '..');

describe('npm start', () => {
  it('without an Electron binary or display: says why, then serves the browser mode', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NETNS_STUDIO_NO_DOWNLOAD: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-open', '--port', '0'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL within 20 s:\n${out}`)), 20_000);
        const check = () => {
          const m = SERVE_URL_RE.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(m[0]);
          }
        };
        child.stdout.on('data', check);
        child.stderr.on('data', check);
        child.on('exit', (c) => reject(new Error(`exited ${c}:\n${out}`)));
      });
      assert.match(out, /cannot open the desktop window: there is no display/);
      assert.match(out, /Starting the browser mode instead/);
      // the page is served (no cookie); the WebSocket needs the session the address's one-time code trades for
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('set-cookie'), null);
      const u = new URL(url);
      const wsStatus = (q: string) =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(`ws://${u.host}/ws${q}`, { origin: u.origin });
          ws.on('open', () => (ws.close(), resolve(101)));
          ws.on('unexpected-response', (_req, r) => resolve(r.statusCode ?? 0));
          ws.on('error', () => resolve(-1));
        });
      assert.equal(await wsStatus(`?token=${u.searchParams.get('code')}`), 401, 'the code itself is no credential');
      assert.equal(await wsStatus(`?token=${await sessionSecret(url)}`), 101);
      assert.equal(await wsStatus(''), 401);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
