/**
 * The one place the renderer chooses its Backend: the preload bridge inside the
 * desktop app, else the WebSocket of the server that served this page.
 */
import type { Backend } from '../../shared/backend';
import { createElectronBackend, hasElectronBridge } from './electron-backend';
import { createWebSocketBackend, defaultSocketUrl } from './websocket-backend';

export function createBackend(): Backend {
  if (hasElectronBridge()) return createElectronBackend();
  // The page URL may still carry ?token= (first load before the cookie is set); pass it on.
  const token = new URLSearchParams(globalThis.location?.search ?? '').get('token') ?? undefined;
  return createWebSocketBackend(defaultSocketUrl(), token);
}
