import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer, type RunningServer } from './http-server';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so tests control Host/Origin exactly (fetch would fix them up). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open a WebSocket; resolves with the socket or the HTTP status that refused it. */
function openWs(port: number, opts: { token?: string; origin?: string; host?: string; cookie?: string }): Promise<WebSocket | number> {
  const q = opts.token === undefined ? '' : `?token=${opts.token}`;
  const headers: Record<string, string> = { Host: opts.host ?? `127.0.0.1:${port}` };
  if (opts.cookie) headers.Cookie = opts.cookie;
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${q}`, { headers, origin: opts.origin });
  // collect from the start: the server's first frame can arrive with the handshake
  (ws as WebSocket & { frames?: ReturnType<typeof frames> }).frames = frames(ws);
  return new Promise((resolve) => {
    ws.on('open', () => resolve(ws));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

/** Collects frames; `next(pred)` waits for the first matching one. */
function frames(ws: WebSocket) {
  const got: any[] = [];
  const waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(d.toString());
    got.push(f);
    for (const w of [...waiters])
      if (w.pred(f)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(f);
      }
  });
  return {
    got,
    next(pred: (f: any) => boolean, ms = 3000): Promise<any> {
      const found = got.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no matching frame')), ms);
        waiters.push({
          pred,
          resolve: (f) => {
            clearTimeout(t);
            resolve(f);
          },
        });
      });
    },
  };
}

describe('browser-mode server', () => {
  let dir: string;
  let srv: RunningServer;
  const token = 'test-token-0123456789abcdef';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nst-server-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Netns Studio</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir, '.secret'), 'no');
    srv = await startServer({ rendererDir: dir, link: unavailableHelperLink('live features need root'), token });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to loopback and prints a URL with a one-time code, never the token', () => {
    assert.equal(srv.host, '127.0.0.1');
    assert.match(srv.url, new RegExp(`^http://127\\.0\\.0\\.1:${srv.port}/\\?code=[\\w-]{20,}$`));
    assert.ok(!srv.url.includes(token));
  });

  it('a code opens one session; replayed, or from another server, it opens nothing (issue 15)', async () => {
    const origin = `http://127.0.0.1:${srv.port}`;
    const post = (body: string, headers: Record<string, string> = { Origin: origin }) =>
      fetch(`${origin}/session`, { method: 'POST', body, headers }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const code = new URL(srv.url).searchParams.get('code')!;
    const first = await post(code);
    assert.equal(first.status, 200, first.body);
    const secret = (JSON.parse(first.body) as { secret: string }).secret;
    assert.ok(secret.length >= 20 && secret !== token && secret !== code);
    // the session opens the WebSocket; the spent code, replayed, neither trades again nor opens it
    const ws = await openWs(srv.port, { token: secret, origin });
    assert.ok(typeof ws !== 'number', `session refused: ${ws}`);
    ws.close();
    assert.equal((await post(code)).status, 403, 'a replayed code is refused');
    assert.equal(await openWs(srv.port, { token: code, origin }), 401, 'a code is no credential on the WebSocket');
    // a foreign page cannot trade a code it somehow learnt
    const fresh = new URL(srv.newUrl()).searchParams.get('code')!;
    assert.equal((await post(fresh, { Origin: 'http://evil.example' })).status, 403);
    assert.equal((await post(fresh)).status, 200, 'the code was not spent by the refused attempt');
    // another server's session is worth nothing here (the secret is this server's alone)
    const other = await startServer({ rendererDir: dir, link: unavailableHelperLink('x'), token: 'other-token-000000000000' });
    try {
      const r = await fetch(`http://127.0.0.1:${other.port}/session`, {
        method: 'POST',
        body: new URL(other.url).searchParams.get('code')!,
        headers: { Origin: `http://127.0.0.1:${other.port}` },
      });
      const otherSecret = ((await r.json()) as { secret: string }).secret;
      assert.equal(await openWs(srv.port, { token: otherSecret, origin }), 401);
    } finally {
      await other.close();
    }
  });

  it('serves the UI files without the token (they hold no secret) and never sets a cookie (it would reach every port)', async () => {
    for (const path of ['/', '/index.html', '/assets/app.js', `/?code=x`]) {
      const r = await get(srv.port, path);
      assert.equal(r.status, 200, path);
      assert.equal(r.headers['set-cookie'], undefined, path);
    }
    assert.match((await get(srv.port, '/')).body, /<title>Netns Studio<\/title>/);
    assert.match(String((await get(srv.port, '/assets/app.js')).headers['content-type']), /text\/javascript/);
    assert.equal((await get(srv.port, '/nope')).status, 404);
  });

  it('never redirects, off the server or anywhere', async () => {
    const r = await get(srv.port, `//evil.example/x?token=${token}`);
    assert.ok(r.status < 300 || r.status >= 400, String(r.status));
    assert.equal(r.headers.location, undefined);
  });

  it('sends a strict CSP and the other security headers', async () => {
    const r = await get(srv.port, '/', { Authorization: `Bearer ${token}` });
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${srv.port}`));
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['x-frame-options'], 'DENY');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
    // the 401 page gets them too
    assert.match(String((await get(srv.port, '/')).headers['content-security-policy']), /default-src 'none'/);
  });

  it('rejects DNS-rebinding Hosts and foreign Origins, even with the token', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal((await get(srv.port, '/', { ...auth, Host: `evil.example:${srv.port}` })).status, 421);
    assert.equal((await get(srv.port, '/', { ...auth, Host: '127.0.0.1:1' })).status, 421);
    assert.equal((await get(srv.port, '/', { ...auth, Origin: 'http://evil.example' })).status, 403);
    assert.equal((await get(srv.port, '/', { ...auth, Origin: `https://127.0.0.1:${srv.port}` })).status, 403);
    assert.equal((await get(srv.port, '/', { ...auth, Origin: 'null' })).status, 403);
    assert.equal((await get(srv.port, '/', { ...auth, Host: `localhost:${srv.port}`, Origin: `http://localhost:${srv.port}` })).status, 200);
    assert.equal((await get(srv.port, '/', auth, 'POST')).status, 405);
  });

  it('never serves files outside the build or dotfiles', async () => {
    const auth = { Authorization: `Bearer ${token}` };
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/.secret', '/%00']) {
      const r = await get(srv.port, path, auth);
      assert.notEqual(r.status, 200, path);
      assert.doesNotMatch(r.body, /root:|"name"|no\b/, path);
    }
  });

  it('WebSocket: token, Host and Origin required', async () => {
    const origin = `http://127.0.0.1:${srv.port}`;
    assert.equal(await openWs(srv.port, { origin }), 401);
    assert.equal(await openWs(srv.port, { origin, token: 'nope' }), 401);
    assert.equal(await openWs(srv.port, { token }), 403, 'no Origin');
    assert.equal(await openWs(srv.port, { token, origin: 'http://evil.example' }), 403);
    assert.equal(await openWs(srv.port, { token, origin, host: `evil.example:${srv.port}` }), 421);
    assert.equal(await openWs(srv.port, { origin, cookie: `netns_studio_${srv.port}=${token}` }), 401, 'a cookie is no credential');
    const ok = await openWs(srv.port, { origin, token });
    assert.ok(ok instanceof WebSocket);
    ok.close();
  });

  it('WebSocket: sends the helper status first and validates every request', async () => {
    const ws = await openWs(srv.port, { token, origin: `http://127.0.0.1:${srv.port}` });
    assert.ok(ws instanceof WebSocket);
    const f = (ws as WebSocket & { frames: ReturnType<typeof frames> }).frames;
    const status = await f.next((x) => x.type === 'event' && x.event === 'status');
    assert.equal(status.payload.state, 'unavailable');
    assert.equal(status.payload.error.message, 'live features need root');

    ws.send('not json');
    assert.equal((await f.next((x) => x.type === 'error' && x.id === null)).error.code, 'bad-message');
    ws.send(JSON.stringify({ type: 'request', id: 1, method: 'status', params: {}, extra: true }));
    assert.equal((await f.next((x) => x.id === 1)).error.code, 'bad-message');
    ws.send(JSON.stringify({ type: 'request', id: 2, method: '__proto__', params: {} }));
    assert.match((await f.next((x) => x.id === 2)).error.message, /unknown method/);
    ws.send(JSON.stringify({ type: 'request', id: 3, method: 'saveFile', params: { text: 'x', path: '/etc/passwd' } }));
    assert.match((await f.next((x) => x.id === 3)).error.message, /unknown method/, 'file requests are desktop-only');
    ws.send(JSON.stringify({ type: 'request', id: 4, method: 'plan', params: { document: { kind: 'nope' } } }));
    assert.match((await f.next((x) => x.id === 4)).error.message, /invalid plan request/);
    ws.send(JSON.stringify({ type: 'request', id: 5, method: 'watchStart', params: { subId: 'a b;rm' } }));
    assert.equal((await f.next((x) => x.id === 5)).error.code, 'bad-message');

    ws.send(JSON.stringify({ type: 'request', id: 6, method: 'status', params: {} }));
    assert.equal((await f.next((x) => x.id === 6)).result.state, 'unavailable');
    ws.send(JSON.stringify({ type: 'request', id: 7, method: 'discover', params: {} }));
    const disc = await f.next((x) => x.id === 7);
    assert.deepEqual(disc.result, { ok: false, error: { code: 'helper-unavailable', message: 'live features need root' } });
    ws.send(JSON.stringify({ type: 'request', id: 8, method: 'plan', params: { document: { apiVersion: 'netns-studio/v1', kind: 'Topology' } } }));
    assert.equal((await f.next((x) => x.id === 8)).result.error.code, 'helper-unavailable');
    ws.close();
  });
});
