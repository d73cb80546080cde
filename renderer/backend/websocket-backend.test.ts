import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { HelperStatus } from '../../shared/backend';
import { emptyTopology } from '../../shared/model/schema';
import { unavailableHelperLink } from '../../shell-core/helper-link';
import { startServer, type RunningServer } from '../../server/http-server';
import { createWebSocketBackend } from './websocket-backend';
import { waitUntil } from '../../testing/until';

/** The `ws` client, sending the Origin a browser would send for a page of this server. */
function wsImpl(origin: string): typeof globalThis.WebSocket {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { origin });
    }
  } as unknown as typeof globalThis.WebSocket;
}

const waitFor = (pred: () => boolean, ms = 3000) => waitUntil('the server to answer', pred, ms);

describe('WebSocket Backend against the real server', () => {
  let dir: string;
  let srv: RunningServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nst-wsb-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    srv = await startServer({ rendererDir: dir, link: unavailableHelperLink('live features need root') });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the helper status and returns helper failures as values', async () => {
    const origin = `http://127.0.0.1:${srv.port}`;
    const b = createWebSocketBackend(`ws://127.0.0.1:${srv.port}/ws`, srv.token, { WebSocketImpl: wsImpl(origin) });
    try {
      assert.equal(b.kind, 'browser');
      const seen: HelperStatus[] = [];
      b.onStatus((s) => seen.push(s));
      await waitFor(() => b.status().state === 'unavailable');
      assert.equal(b.status().error?.message, 'live features need root');
      assert.ok(seen.length >= 1);
      const d = await b.discover();
      assert.deepEqual(d, { ok: false, error: { code: 'helper-unavailable', message: 'live features need root' } });
      const p = await b.plan(emptyTopology('x'));
      assert.equal(p.ok, false);
      const c = await b.connect();
      assert.equal(c.state, 'unavailable');
      const errors: string[] = [];
      const off = b.watch(
        () => {},
        (e) => errors.push(e.code),
      );
      await waitFor(() => errors.length > 0);
      assert.deepEqual(errors, ['helper-unavailable']);
      off();
    } finally {
      b.dispose();
    }
  });

  it('with a wrong token the requests fail as values, and the status says disconnected', async () => {
    const origin = `http://127.0.0.1:${srv.port}`;
    const b = createWebSocketBackend(`ws://127.0.0.1:${srv.port}/ws`, 'wrong-token', { WebSocketImpl: wsImpl(origin), reconnectDelayMs: 50 });
    try {
      const r = await b.discover();
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.code, 'disconnected');
      await waitFor(() => b.status().state === 'failed');
    } finally {
      b.dispose();
    }
  });

  it('reconnects after the server restarts on the same port', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'nst-wsb2-'));
    let s2 = await startServer({ rendererDir: d2, link: unavailableHelperLink('first') });
    const port = s2.port;
    const token = s2.token;
    const b = createWebSocketBackend(`ws://127.0.0.1:${port}/ws`, token, { WebSocketImpl: wsImpl(`http://127.0.0.1:${port}`), reconnectDelayMs: 20 });
    try {
      await waitFor(() => b.status().error?.message === 'first');
      await s2.close();
      await waitFor(() => b.status().state === 'failed');
      assert.equal(b.status().error?.code, 'disconnected');
      s2 = await startServer({ rendererDir: d2, link: unavailableHelperLink('second'), port, token });
      await waitFor(() => b.status().error?.message === 'second', 8000);
    } finally {
      b.dispose();
      await s2.close();
      rmSync(d2, { recursive: true, force: true });
    }
  });
});
