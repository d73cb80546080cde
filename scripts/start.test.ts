import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(import.meta.dirname, '..');

describe('npm start', () => {
  it('without an Electron binary or display: says why, then serves the browser mode', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NETNS_STUDIO_NO_DOWNLOAD: '1' };
    delete env.DISPLAY;
    delete env.WAYLAND_DISPLAY;
    const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-open', '--port', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no URL within 20 s:\n${out}`)), 20_000);
        const check = () => {
          const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
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
      const res = await fetch(url, { redirect: 'manual' });
      assert.equal(res.status, 303, 'token accepted, traded for a cookie');
      const page = await fetch(new URL('/', url), { headers: { cookie: String(res.headers.get('set-cookie')).split(';')[0] } });
      assert.equal(page.status, 200);
      assert.equal((await fetch(new URL('/', url))).status, 401);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
