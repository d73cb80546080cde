/**
 * The one place the renderer chooses its Backend: the preload bridge inside the
 * desktop app, else the WebSocket of the server that served this page.
 */
import type { Backend } from '../../shared/backend';
import { createElectronBackend, hasElectronBridge } from './electron-backend';
import { pageToken } from './page-token';
import { createWebSocketBackend, defaultSocketUrl } from './websocket-backend';

export function createBackend(): Backend {
  if (hasElectronBridge()) return createElectronBackend();
  return createWebSocketBackend(defaultSocketUrl(), pageToken());
}
