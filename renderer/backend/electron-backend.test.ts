/**
 * The desktop Backend over the real preload bridge (electron/bridge.ts), with
 * ipcRenderer replaced by a recording stand-in (the Electron module is the one
 * thing mocked): results and events are validated, events reach the right
 * subscriber, and malformed ones are dropped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestChannel } from '../../shared/ipc-contract';
import { emptyTopology } from '../../shared/model/schema';
import { createBridge } from '../../electron/bridge';
import { createElectronBackend, hasElectronBridge } from './electron-backend';
import { waitUntil } from '../../testing/until';

type Listener = (e: unknown, msg: unknown) => void;

function fakeMain(answer: (channel: string, params: any) => unknown) {
  const listeners = new Set<Listener>();
  const calls: { channel: string; params: any }[] = [];
  const ipc = {
    invoke: async (channel: string, params: unknown) => {
      calls.push({ channel, params });
      return answer(channel, params);
    },
    on: (_c: string, fn: Listener) => {
      listeners.add(fn);
      return ipc;
    },
    removeListener: (_c: string, fn: Listener) => {
      listeners.delete(fn);
      return ipc;
    },
  };
  const push = (event: string, payload: unknown) => {
    for (const l of listeners) l({ sender: 'x' }, { event, payload });
  };
  return { ipc, calls, push, listeners };
}

/** Until main has been asked on `channel` `n` times (the backend asks asynchronously). */
const asked = (m: { calls: { channel: string }[] }, channel: string, n = 1) =>
  waitUntil(`${n} ${channel} request(s)`, () => m.calls.filter((x) => x.channel === requestChannel(channel as never)).length >= n);

describe('electron Backend', () => {
  it('detects the bridge', () => {
    assert.equal(hasElectronBridge({}), false);
    assert.equal(hasElectronBridge({ netnsStudio: {} }), true);
  });

  it('status from main, then pushed status events; malformed events are dropped', async () => {
    const m = fakeMain((ch) => (ch === requestChannel('status') ? { state: 'idle', canRetry: true } : null));
    const b = createElectronBackend(createBridge(m.ipc as never));
    assert.equal(b.kind, 'electron');
    await asked(m, 'status');
    assert.equal(b.status().state, 'idle');
    const seen: string[] = [];
    b.onStatus((s) => seen.push(s.state));
    m.push('status', { state: 'connected', canRetry: false, root: true, uid: 0 });
    m.push('status', { state: 'bogus', canRetry: false });
    m.push('nonsense', {});
    assert.deepEqual(seen, ['connected']);
    assert.equal(b.status().root, true);
    b.dispose();
  });

  it('watch events go to their own subscriber only', async () => {
    const m = fakeMain((ch) => (ch === requestChannel('status') ? { state: 'connected', canRetry: false } : { ok: true, value: null }));
    const b = createElectronBackend(createBridge(m.ipc as never));
    const a: number[] = [];
    const c: number[] = [];
    b.watch((e) => a.push(e.seq));
    b.watch((e) => c.push(e.seq));
    await asked(m, 'watchStart', 2);
    const [subA, subC] = m.calls.filter((x) => x.channel === requestChannel('watchStart')).map((x) => x.params.subId);
    m.push('watchEvent', {
      subId: subA,
      event: { seq: 1, type: 'resync', observed: { readAt: 0, durationMs: 0, namespaces: [], warnings: [] }, document: emptyTopology() },
    });
    m.push('watchEvent', { subId: subC, event: { seq: 7, type: 'namespace-removed', namespace: 'x' } });
    m.push('watchEvent', { subId: subA, event: { type: 'no-seq' } });
    assert.deepEqual(a, [1]);
    assert.deepEqual(c, [7]);
    b.dispose();
  });

  it('apply streams progress for its own operation and returns the helper result', async () => {
    let release!: (v: unknown) => void;
    const m = fakeMain((ch) => {
      if (ch === requestChannel('apply')) return new Promise((r) => (release = r));
      if (ch === requestChannel('status')) return { state: 'connected', canRetry: false };
      return null;
    });
    const b = createElectronBackend(createBridge(m.ipc as never));
    const progress: string[] = [];
    const done = b.apply(emptyTopology('x'), 'hash1', (p) => progress.push(`${p.index}/${p.total} ${p.reason}`));
    await asked(m, 'apply');
    const opId = m.calls.find((x) => x.channel === requestChannel('apply'))!.params.opId;
    assert.equal(m.calls.find((x) => x.channel === requestChannel('apply'))!.params.planHash, 'hash1');
    m.push('progress', { opId, progress: { index: 1, total: 2, reason: 'ns1 is missing' } });
    m.push('progress', { opId: 'someone-else', progress: { index: 9, total: 9, reason: 'not ours' } });
    m.push('progress', { opId, progress: { index: 2, total: 2, reason: 'veth1 is missing' } });
    release({ ok: false, error: { code: 'step-failed', message: 'RTNETLINK answers: File exists', detail: { index: 2, rolledBack: true } } });
    const r = await done;
    assert.deepEqual(progress, ['1/2 ns1 is missing', '2/2 veth1 is missing']);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'step-failed');
    b.dispose();
  });

  it('an answer that breaks the contract becomes a bad-message failure, not a crash', async () => {
    const m = fakeMain((ch) => (ch === requestChannel('plan') ? { ok: true, value: { steps: 'nope' } } : { state: 'idle', canRetry: true }));
    const b = createElectronBackend(createBridge(m.ipc as never));
    const r = await b.plan(emptyTopology('x'));
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.error.code, 'bad-message');
    b.dispose();
  });

  it('file requests go to main; menu events reach onMenuCommand', async () => {
    const m = fakeMain((ch) =>
      ch === requestChannel('openFile') ? { ok: true, value: { name: 'a.yaml', path: '/x/a.yaml', text: 'k: v' } } : { state: 'idle', canRetry: true },
    );
    const b = createElectronBackend(createBridge(m.ipc as never));
    assert.deepEqual(await b.openFile(), { ok: true, value: { name: 'a.yaml', path: '/x/a.yaml', text: 'k: v' } });
    const cmds: string[] = [];
    b.onMenuCommand((c) => cmds.push(c.command));
    m.push('menu', { command: 'export-shell' });
    m.push('menu', { command: 'rm -rf' });
    assert.deepEqual(cmds, ['export-shell']);
    assert.equal(m.listeners.size, 1, 'one IPC listener for all events');
    b.dispose();
    assert.equal(m.listeners.size, 0);
  });
});
