/**
 * Preload (sandboxed, context-isolated): exposes exactly one typed object,
 * window.netnsStudio (./bridge.ts). Bundled by vite.preload.config.ts.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { exposeBridge } from './bridge';

exposeBridge(contextBridge, ipcRenderer);
