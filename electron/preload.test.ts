import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BRIDGE_EXTRA_KEYS, EVENT_CHANNEL, REQUEST_NAMES, requestChannel } from '../shared/ipc-contract';
import { BRIDGE_KEY, createBridge, exposeBridge } from './bridge';

function fakeIpcRenderer() {
  const invoked: { channel: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  return {
    invoked,
    listeners,
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push({ channel, args });
      return 'answer';
    },
    on(channel: string, fn: (...a: unknown[]) => void) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(fn);
      return this;
    },
    removeListener(channel: string, fn: (...a: unknown[]) => void) {
      listeners.get(channel)?.delete(fn);
      return this;
    },
  };
}

describe('preload bridge', () => {
  it('exposes exactly one object, window.netnsStudio', () => {
    const exposed: [string, unknown][] = [];
    exposeBridge({ exposeInMainWorld: (k, v) => void exposed.push([k, v]) }, fakeIpcRenderer() as never);
    assert.equal(exposed.length, 1);
    assert.equal(exposed[0][0], BRIDGE_KEY);
    assert.equal(BRIDGE_KEY, 'netnsStudio');
  });

  it('has only the declared keys: one function per request, plus onEvent; frozen', () => {
    const api = createBridge(fakeIpcRenderer() as never) as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(api).sort(), [...REQUEST_NAMES, ...BRIDGE_EXTRA_KEYS].sort());
    for (const k of Object.keys(api)) assert.equal(typeof api[k], 'function', k);
    assert.ok(Object.isFrozen(api));
    for (const leak of ['ipcRenderer', 'invoke', 'send', 'on', 'require', 'process']) assert.ok(!(leak in api), leak);
  });

  it('each function invokes its own channel with its params only', async () => {
    const ipc = fakeIpcRenderer();
    const api = createBridge(ipc as never) as unknown as Record<string, (p: unknown) => Promise<unknown>>;
    for (const name of REQUEST_NAMES) {
      assert.equal(await api[name]({ n: name }), 'answer');
      assert.deepEqual(ipc.invoked.at(-1), { channel: requestChannel(name), args: [{ n: name }] });
    }
  });

  it('onEvent hands over event name and payload, never the IPC event (it holds the sender)', () => {
    const ipc = fakeIpcRenderer();
    const api = createBridge(ipc as never);
    const got: unknown[][] = [];
    const off = api.onEvent((...a) => void got.push(a));
    const [listener] = ipc.listeners.get(EVENT_CHANNEL)!;
    listener({ sender: ipc, senderId: 0 }, { event: 'status', payload: { state: 'idle' } });
    listener({ sender: ipc }, 'garbage');
    assert.deepEqual(got, [['status', { state: 'idle' }]]);
    off();
    assert.equal(ipc.listeners.get(EVENT_CHANNEL)!.size, 0);
    assert.throws(() => api.onEvent('x' as never));
  });

  it('preload.ts only exposes the bridge; nothing in electron/ uses @electron/remote or exposes ipcRenderer', () => {
    const preload = readFileSync(join(import.meta.dirname, 'preload.ts'), 'utf8');
    assert.match(preload, /exposeBridge\(contextBridge, ipcRenderer\)/);
    assert.doesNotMatch(preload, /exposeInMainWorld/);
    for (const f of readdirSync(import.meta.dirname).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const src = readFileSync(join(import.meta.dirname, f), 'utf8');
      assert.doesNotMatch(src, /@electron\/remote/, f);
      assert.doesNotMatch(src, /exposeInMainWorld\([^)]*ipcRenderer/, f);
    }
  });
});
