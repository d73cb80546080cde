import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { cliPath as cli, projectRoot as root } from '../../testing/cli-runner';

/** Start `serve`, wait for its URL; `prefix` runs it through another program (setpriv). */
async function serve(prefix: string[], args: string[] = []) {
  const argv = [...prefix, process.execPath, cli, 'serve', '--no-open', '--port', '0', ...args];
  const child = spawn(argv[0], argv.slice(1), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DISPLAY: '' } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no URL:\n${out}`)), 30_000);
    const look = () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(out);
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

function firstStatus(url: string): Promise<any> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
  return new Promise((resolve, reject) => {
    ws.on('message', (d) => {
      ws.close();
      resolve(JSON.parse(d.toString()));
    });
    ws.on('error', reject);
  });
}

const canDropRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0;

describe('netns-studio serve', () => {
  it('rejects a bad port', () => {
    const r = spawnSync(process.execPath, [cli, 'serve', '--port', '70000', '--no-open'], { cwd: root, encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /port/);
  });

  it('as a normal user: explains that live features need root, and still serves the editor', { skip: canDropRoot ? false : 'needs root and setpriv to run as another user' }, async () => {
    const s = await serve(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
    try {
      assert.match(s.out(), /live features .* need root/);
      const res = await fetch(s.url, { redirect: 'manual' });
      assert.equal(res.status, 303);
      const status = await firstStatus(s.url);
      assert.equal(status.event, 'status');
      assert.equal(status.payload.state, 'unavailable');
      assert.match(status.payload.error.message, /need root/);
    } finally {
      await s.stop();
    }
  });
});
