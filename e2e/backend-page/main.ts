// Test page for e2e/backend-in-browser.test.ts: the real browser Backend, nothing else.
import { createBackend } from '../../renderer/backend/create-backend';

const backend = createBackend();
(window as unknown as { backend: typeof backend }).backend = backend;
document.body.dataset.ready = 'true';
