/**
 * The Backend of the desktop app: a thin wrapper over the preload bridge
 * (window.netnsStudio, see electron/preload.ts). Files, dialogs and the menu live
 * in the main process; results and events are validated here as well as there.
 */
import type { NetnsStudioBridge, RequestName } from '../../shared/ipc-contract';
import { createRpcBackend, type RpcBackend } from './rpc-backend';

declare global {
  interface Window {
    netnsStudio?: NetnsStudioBridge;
  }
}

/** True inside the desktop app (the preload put its bridge on window). */
export function hasElectronBridge(w: { netnsStudio?: unknown } = globalThis as { netnsStudio?: unknown }): boolean {
  return typeof w.netnsStudio === 'object' && w.netnsStudio !== null;
}

export function createElectronBackend(bridge: NetnsStudioBridge | undefined = (globalThis as { netnsStudio?: NetnsStudioBridge }).netnsStudio): RpcBackend {
  if (!bridge) throw new Error('window.netnsStudio is missing: not running inside the desktop app');
  return createRpcBackend(
    'electron',
    {
      request: (name: RequestName, params: unknown) => (bridge[name] as (p: unknown) => Promise<unknown>)(params),
      onEvent: (cb) => bridge.onEvent(cb),
    },
    'remote',
  );
}
