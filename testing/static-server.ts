/**
 * A tiny static file server on 127.0.0.1 for the renderer's production build
 * (dist/renderer): used by bench/canvas.ts, the renderer smoke test and the
 * screenshot script. Files are found as the real server finds them (shell-core/static-files).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { resolveStatic } from '../shell-core/static-files';

export const RENDERER_DIST = resolve(import.meta.dirname, '..', 'dist', 'renderer');

export async function serveStatic(root: string = RENDERER_DIST): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const file = await resolveStatic(root, new URL(req.url ?? '/', 'http://x').pathname);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, server, close: () => new Promise((r) => server.close(() => r())) };
}
