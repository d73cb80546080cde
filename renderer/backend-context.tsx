/**
 * Which Backend the UI talks to (shared/backend.ts): the preload bridge in the
 * desktop app, the server's WebSocket in browser mode, or none (`?backend=none`,
 * the canvas benchmark, a page opened from disk): then the app still edits,
 * opens and saves through the browser, and exports.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import type { Backend, HelperStatus } from '../shared/backend';
import { INITIAL_STATUS } from '../shared/backend';
import { createBackend } from './backend/create-backend';
import { hasElectronBridge } from './backend/electron-backend';
import { createDemoBackend } from './demo-backend';
import { demoHost } from './model/demo-host';

const BackendContext = createContext<Backend | null>(null);

export function chooseBackend(params: URLSearchParams = new URLSearchParams(globalThis.location?.search ?? '')): Backend | null {
  if (params.get('backend') === 'none' || params.has('bench')) return null;
  if (params.get('backend') === 'demo') return createDemoBackend(demoHost());
  if (!hasElectronBridge() && globalThis.location?.protocol === 'file:') return null;
  try {
    return createBackend();
  } catch (e) {
    console.warn(`netns-studio: no backend: ${String(e)}`);
    return null;
  }
}

export function BackendProvider({ backend, children }: { backend: Backend | null; children: ReactNode }) {
  return <BackendContext.Provider value={backend}>{children}</BackendContext.Provider>;
}

export const useBackend = () => useContext(BackendContext);

/** The helper connection, live. `undefined` backend = not connected to anything. */
export function useHelperStatus(): HelperStatus | undefined {
  const backend = useBackend();
  const [status, setStatus] = useState<HelperStatus | undefined>(backend?.status() ?? undefined);
  useEffect(() => {
    if (!backend) return;
    setStatus(backend.status());
    return backend.onStatus(setStatus);
  }, [backend]);
  return backend ? (status ?? INITIAL_STATUS) : undefined;
}
