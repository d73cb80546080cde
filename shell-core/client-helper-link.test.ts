/**
 * The client-backed HelperLink against a scripted helper on in-memory streams (no
 * root needed; the real helper is in ./stdio-helper-link.test.ts): method and
 * scope mapping, progress and watch events as the session expects them, typed
 * failures, and the status when the helper goes away.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelperStatus } from '../shared/backend';
import { until } from '../testing/until';
import { createClientHelperLink } from './client-helper-link';
import { WatchStream } from './watch-stream';
import { createSession } from './session';
import { scriptedHelper } from '../testing/scripted-helper';

const EMPTY_DOC = { apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: {}, namespaces: [], bridges: [], veths: [], forwarders: [] };

describe('client helper link (scripted helper)', () => {
  it('maps methods, scope, progress and watch events; failures are values', async () => {
    const h = scriptedHelper((method, params, send, id) => {
      if (method === 'discover') send({ id, result: { document: EMPTY_DOC, observed: { namespaces: [] }, owned: [] } });
      else if (method === 'apply') {
        send({ event: 'progress', ref: id, seq: 0, data: { index: 1, total: 2, reason: 'first', phase: 'apply' } });
        send({ id, error: { code: 'step-failed', message: 'RTNETLINK answers: File exists', detail: { rolledBack: true } } });
      } else if (method === 'watch.subscribe') {
        send({ event: 'watch', ref: id, seq: 1, data: { type: 'resync', document: EMPTY_DOC, observed: { namespaces: [{ name: 'a', links: [] }] } } });
        send({ id, result: { subscription: id } });
        send({
          event: 'watch',
          ref: id,
          seq: 2,
          data: { type: 'namespace-added', namespace: 'b', observed: { name: 'b', links: [] }, part: { bridges: [], veths: [] } },
        });
      } else send({ id, result: { ok: true } });
    });
    const link = createClientHelperLink({
      transport: 'stdio',
      scope: { onlyPrefix: 'lab-' },
      start: async () => ((h.client.hello = await h.client.request('hello', {})), h.client),
    });
    const emitted: { name: string; payload: any }[] = [];
    const session = createSession(link, (name, payload) => emitted.push({ name, payload }));

    const s = await link.connect();
    assert.deepEqual(
      { state: s.state, transport: s.transport, uid: s.uid, root: s.root, iproute2: s.versions?.iproute2 },
      { state: 'connected', transport: 'stdio', uid: 0, root: true, iproute2: 'iproute2-6.1.0' },
    );

    assert.equal(link.status().namePrefix, 'lab-', 'the scope names new namespaces in the editor');
    assert.ok(
      emitted.some((e) => e.name === 'status' && e.payload.namePrefix === 'lab-'),
      'and reaches the renderer with every status',
    );
    const d = (await session.handle('discover', {})) as any;
    assert.ok(d.ok, JSON.stringify(d));
    assert.deepEqual(h.requests.find((r) => r.method === 'discover')?.params, { unnamed: false, onlyPrefix: 'lab-' }, 'the scope goes with every discover');

    const a = (await session.handle('apply', { document: EMPTY_DOC, planHash: 'f'.repeat(64), opId: 'op1' })) as any;
    assert.deepEqual(a, { ok: false, error: { code: 'step-failed', message: 'RTNETLINK answers: File exists', detail: { rolledBack: true } } });
    assert.deepEqual(JSON.parse(JSON.stringify(emitted.find((e) => e.name === 'progress')?.payload)), {
      opId: 'op1',
      progress: { index: 1, total: 2, reason: 'first', phase: 'apply' },
    });

    assert.deepEqual(await session.handle('watchStart', { subId: 'w' }), { ok: true, value: null });
    await until(() => emitted.filter((e) => e.name === 'watchEvent').length >= 2, 5000);
    const watch = emitted.filter((e) => e.name === 'watchEvent').map((e) => e.payload.event);
    assert.deepEqual(
      watch.map((e) => [e.seq, e.type]),
      [
        [1, 'resync'],
        [2, 'namespace-added'],
      ],
    );
    assert.deepEqual(watch[1].observed, { name: 'b', links: [] }, 'a diff carries its one namespace, not the whole host');
    assert.deepEqual(
      h.requests.find((r) => r.method === 'watch.subscribe')?.params,
      { unnamed: true, onlyPrefix: 'lab-' },
      'the live view watches every namespace',
    );

    const statuses: HelperStatus[] = [];
    link.onStatus((x) => statuses.push(x));
    h.die();
    await until(() => statuses.length > 0 && emitted.some((e) => e.name === 'watchError'), 5000);
    assert.equal(statuses[0]?.state, 'failed');
    assert.equal(statuses[0]?.error?.code, 'disconnected');
    assert.ok(
      emitted.some((e) => e.name === 'watchError'),
      'the watcher hears that its stream is gone',
    );
    session.close();
    await link.close();
  });

  it('destroy carries the plan hash of the dry run that was shown to the helper, like apply', async () => {
    const h = scriptedHelper((method, _params, send, id) => {
      if (method === 'destroy') send({ id, result: { applied: 3, durationMs: 5, matches: true, topology: 'lab' } });
    });
    const link = createClientHelperLink({ transport: 'stdio', start: async () => ((h.client.hello = await h.client.request('hello', {})), h.client) });
    const session = createSession(link, () => {});
    await link.connect();
    const r = await session.handle('destroy', { document: EMPTY_DOC, planHash: 'e'.repeat(64), opId: 'op2' });
    assert.deepEqual(r, { ok: true, value: { applied: 3, durationMs: 5, topology: 'lab' } });
    assert.deepEqual(h.requests.find((x) => x.method === 'destroy')?.params, { document: EMPTY_DOC, planHash: 'e'.repeat(64) });
    session.close();
    await link.close();
  });

  it("a gap in the helper's watch numbers makes the link subscribe again; the renderer sees a resync, numbered on", async () => {
    let subscribes = 0;
    const h = scriptedHelper((method, params, send, id) => {
      if (method !== 'watch.subscribe') return send({ id, result: { ok: true } });
      subscribes++;
      const ns = (name: string) => ({ name, links: [] });
      send({ event: 'watch', ref: id, seq: 1, data: { type: 'resync', document: EMPTY_DOC, observed: { namespaces: [ns('a')] } } });
      send({ id, result: { subscription: id } });
      if (subscribes === 1) {
        send({ event: 'watch', ref: id, seq: 2, data: { type: 'namespace-changed', namespace: 'a', observed: ns('a'), part: { bridges: [], veths: [] } } });
        // seq 3 lost
        send({ event: 'watch', ref: id, seq: 4, data: { type: 'namespace-added', namespace: 'b', observed: ns('b'), part: { bridges: [], veths: [] } } });
        send({ event: 'watch', ref: id, seq: 5, data: { type: 'namespace-removed', namespace: 'b' } });
      }
    });
    const link = createClientHelperLink({ transport: 'stdio', start: async () => ((h.client.hello = await h.client.request('hello', {})), h.client) });
    await link.connect();
    const got: { seq: number; type: string }[] = [];
    const sub = await link.subscribe(
      'watch',
      {},
      (e) => got.push(e as { seq: number; type: string }),
      () => {},
    );
    assert.ok(sub.ok);
    await until(() => got.length >= 3, 5000);
    assert.deepEqual(
      got.map((e) => [e.seq, e.type]),
      [
        [1, 'resync'],
        [2, 'namespace-changed'],
        [3, 'resync'],
      ],
      "nothing after the gap but the new subscription's resync",
    );
    assert.equal(subscribes, 2);
    await until(() => h.requests.some((r) => r.method === 'watch.unsubscribe'), 5000);
    if (sub.ok) sub.value();
    await link.close();
  });

  it('WatchStream: a subscription must start with a resync; numbers must follow each other', () => {
    const out: number[] = [];
    const s = new WatchStream((e) => out.push(e.seq));
    const ev = (seq: number, type: string) => ({
      event: 'watch',
      seq,
      data: type === 'resync' ? { type, observed: { namespaces: [] }, document: EMPTY_DOC } : { type: 'namespace-removed', namespace: 'x' },
    });
    assert.equal(s.accept(ev(1, 'namespace-removed')), false, 'no resync first');
    assert.equal(s.accept(ev(1, 'resync')), true);
    assert.equal(s.accept(ev(2, 'namespace-removed')), true);
    assert.equal(s.accept(ev(2, 'namespace-removed')), false, 'a repeat is a gap too');
    assert.equal(s.accept(ev(3, 'namespace-removed')), false, 'after a gap only a resync is passed on');
    s.restart();
    assert.equal(s.accept(ev(1, 'resync')), true);
    assert.deepEqual(out, [1, 2, 3]);
    assert.equal(s.gaps, 3);
  });

  it('a start that fails leaves a retryable failed status and requests fail as values', async () => {
    const link = createClientHelperLink({ transport: 'socket', start: async () => Promise.reject(new Error('no pkexec')) });
    const s = await link.connect();
    assert.deepEqual([s.state, s.error?.message, s.canRetry], ['failed', 'no pkexec', true]);
    const r = await link.call('discover', {});
    assert.deepEqual(r, { ok: false, error: { code: 'disconnected', message: 'no pkexec' } });
    const sub = await link.subscribe(
      'nonsense' as never, // a kind the table does not have, as a caller from outside TypeScript could send
      {} as never,
      () => {},
      () => {},
    );
    assert.equal(sub.ok, false);
  });
});
