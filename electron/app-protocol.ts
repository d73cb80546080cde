/**
 * Serves the built renderer on app://netns-studio/ (Electron's advice: a custom
 * scheme instead of file://, so 'self' in the CSP means only our files). The CSP
 * header is set here too: webRequest hooks do not see custom-protocol responses.
 */
import type { Protocol } from 'electron';
import { resolveStatic } from '../shell-core/static-files';
import { APP_HOST, APP_SCHEME } from './security';

export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string, csp: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST || request.method !== 'GET') return new Response('not found', { status: 404 });
    const file = await resolveStatic(rendererDir, url.pathname);
    if (!file) return new Response('not found', { status: 404 });
    return new Response(new Uint8Array(file.body), {
      status: 200,
      headers: { 'Content-Type': file.type, 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' },
    });
  });
}
