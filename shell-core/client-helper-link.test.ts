/**
 * The client-backed HelperLink against a scripted helper on in-memory streams (no
 * root needed; the real helper is in ./stdio-helper-link.test.ts): method and
 * scope mapping, progress and watch events as the session expects them, typed
 * failures, and the status when the helper goes away.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { HelperClient } from '../helper/client';
import type { HelperStatus } from '../shared/backend';
import { until } from '../testing/until';
import { createClientHelperLink, watchEventMapper } from './client-helper-link';
import { createSession } from './session';

const HELLO = { protocol: 1, iproute2: 'iproute2-6.1.0', kernel: '6.18.0', features: { veth: true }, isRoot: true, uid: 0, pid: 4242 };
const EMPTY_DOC = { apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: {}, namespaces: [], bridges: [], veths: [], forwarders: [] };

/** A helper that answers from a script; records every request. */
function scriptedHelper(answer: (method: string, params: any, send: (m: object) => void, id: number) => void) {
  const toClient = new PassThrough();
  const fromClient = new PassThrough();
  const requests: { method: string; params: any }[] = [];
  let buf = '';
  const send = (m: object) => toClient.write(JSON.stringify(m) + '\n');
  fromClient.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const req = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      requests.push({ method: req.method, params: req.params });
      if (req.method === 'hello') send({ id: req.id, result: HELLO });
      else answer(req.method, req.params, send, req.id);
    }
  });
  const client = new HelperClient(toClient, fromClient);
  return { client, requests, die: () => toClient.end() };
}

describe('client helper link (scripted helper)', () => {
  it('maps methods, scope, progress and watch events; failures are values', async () => {
    const h = scriptedHelper((method, params, send, id) => {
      if (method === 'discover') send({ id, result: { document: EMPTY_DOC, observed: { namespaces: [] }, owned: [] } });
      else if (method === 'apply') {
        send({ event: 'progress', ref: id, seq: 0, data: { index: 1, total: 2, reason: 'first', phase: 'apply' } });
        send({ id, error: { code: 'step-failed', message: 'RTNETLINK answers: File exists', detail: { rolledBack: true } } });
      } else if (method === 'watch.subscribe') {
        send({ event: 'watch', ref: id, seq: 0, data: { type: 'resync', document: EMPTY_DOC, observed: { namespaces: [{ name: 'a' }] } } });
        send({ id, result: { subscription: id } });
        send({ event: 'watch', ref: id, seq: 1, data: { type: 'namespace-added', namespace: 'b', observed: { name: 'b' }, document: EMPTY_DOC } });
      } else send({ id, result: { ok: true } });
    });
    const link = createClientHelperLink({ transport: 'stdio', scope: { onlyPrefix: 'lab-' }, start: async () => ((h.client.hello = await h.client.request('hello', {})), h.client) });
    const emitted: { name: string; payload: any }[] = [];
    const session = createSession(link, (name, payload) => emitted.push({ name, payload }));

    const s = await link.connect();
    assert.deepEqual({ state: s.state, transport: s.transport, uid: s.uid, root: s.root, iproute2: s.versions?.iproute2 }, { state: 'connected', transport: 'stdio', uid: 0, root: true, iproute2: 'iproute2-6.1.0' });

    const d = (await session.handle('discover', {})) as any;
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(h.requests.find((r) => r.method === 'discover')?.params, { unnamed: false, onlyPrefix: 'lab-' }, 'the scope goes with every discover');

    const a = (await session.handle('apply', { document: EMPTY_DOC, planHash: 'f'.repeat(64), opId: 'op1' })) as any;
    assert.deepEqual(a, { ok: false, error: { code: 'step-failed', message: 'RTNETLINK answers: File exists', detail: { rolledBack: true } } });
    assert.deepEqual(JSON.parse(JSON.stringify(emitted.find((e) => e.name === 'progress')?.payload)), { opId: 'op1', progress: { index: 1, total: 2, reason: 'first', phase: 'apply' } });

    assert.deepEqual(await session.handle('watchStart', { subId: 'w' }), { ok: true, value: null });
    await until(() => emitted.filter((e) => e.name === 'watchEvent').length >= 2, 5000);
    const watch = emitted.filter((e) => e.name === 'watchEvent').map((e) => e.payload.event);
    assert.deepEqual(watch.map((e) => [e.seq, e.type]), [[0, 'resync'], [1, 'namespace-added']]);
    assert.deepEqual(watch[1].observed.namespaces.map((n: { name: string }) => n.name), ['a', 'b'], 'the whole host, kept up to date');
    assert.deepEqual(h.requests.find((r) => r.method === 'watch.subscribe')?.params, { unnamed: true, onlyPrefix: 'lab-' }, 'the live view watches every namespace');

    const statuses: HelperStatus[] = [];
    link.onStatus((x) => statuses.push(x));
    h.die();
    await until(() => statuses.length > 0 && emitted.some((e) => e.name === 'watchError'), 5000);
    assert.equal(statuses[0]?.state, 'failed');
    assert.equal(statuses[0]?.error?.code, 'disconnected');
    assert.ok(emitted.some((e) => e.name === 'watchError'), 'the watcher hears that its stream is gone');
    session.close();
    await link.close();
  });

  it('watchEventMapper numbers events without seq and drops removed namespaces', () => {
    const map = watchEventMapper();
    assert.deepEqual(map({ event: 'watch', data: { type: 'resync', observed: { namespaces: [{ name: 'a' }, { name: 'b' }] }, document: EMPTY_DOC } }), {
      type: 'resync', observed: { namespaces: [{ name: 'a' }, { name: 'b' }] }, document: EMPTY_DOC, seq: 1,
    });
    const e = map({ event: 'watch', data: { type: 'namespace-removed', namespace: 'a', document: EMPTY_DOC } }) as any;
    assert.equal(e.seq, 2);
    assert.deepEqual(e.observed.namespaces, [{ name: 'b' }]);
  });

  it('a start that fails leaves a retryable failed status and requests fail as values', async () => {
    const link = createClientHelperLink({ transport: 'socket', start: async () => Promise.reject(new Error('no pkexec')) });
    const s = await link.connect();
    assert.deepEqual([s.state, s.error?.message, s.canRetry], ['failed', 'no pkexec', true]);
    const r = await link.call('discover', {});
    assert.deepEqual(r, { ok: false, error: { code: 'disconnected', message: 'no pkexec' } });
    const sub = await link.subscribe('nonsense', {}, () => {}, () => {});
    assert.equal(sub.ok, false);
  });
});
