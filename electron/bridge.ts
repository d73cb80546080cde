/**
 * The object the preload puts on window.netnsStudio: one function per request of
 * the contract (each bound to its own IPC channel) and `onEvent`. Nothing else
 * crosses: no ipcRenderer, no event objects (they carry `sender`), no Node.
 */
import type { IpcRenderer } from 'electron';
import type { NetnsStudioBridge, RequestName } from '../shared/ipc-contract';
import { EVENT_CHANNEL, REQUEST_NAMES, requestChannel } from '../shared/ipc-contract';

export const BRIDGE_KEY = 'netnsStudio';

type IpcLike = Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

export function createBridge(ipc: IpcLike): NetnsStudioBridge {
  const api: Record<string, unknown> = {};
  for (const name of REQUEST_NAMES) {
    const channel = requestChannel(name as RequestName);
    api[name] = (params: unknown) => ipc.invoke(channel, params);
  }
  api.onEvent = (cb: (event: string, payload: unknown) => void) => {
    if (typeof cb !== 'function') throw new TypeError('onEvent needs a function');
    const listener = (_e: unknown, msg: unknown) => {
      const m = msg as { event?: unknown; payload?: unknown } | null;
      if (m && typeof m.event === 'string') cb(m.event, m.payload);
    };
    ipc.on(EVENT_CHANNEL, listener);
    return () => {
      ipc.removeListener(EVENT_CHANNEL, listener);
    };
  };
  return Object.freeze(api) as NetnsStudioBridge;
}

export function exposeBridge(contextBridge: { exposeInMainWorld(key: string, api: unknown): void }, ipc: IpcLike): void {
  contextBridge.exposeInMainWorld(BRIDGE_KEY, createBridge(ipc));
}
