/**
 * `netns-studio serve`: build the renderer if needed, start the helper when we are
 * root (else explain and serve the editor anyway) and, without waiting for it, the
 * server; print the URL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { HelperLink } from '../shell-core/helper-link';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer, type RunningServer } from './http-server';
import { PROJECT_ROOT } from '../helper/code-location';
import { serveUser } from './privilege-drop';
import { superviseServe } from './root-supervisor';
import { isSupervisedWebServer } from './serve-roles';
import { createSupervisedHelperLink } from './supervised-helper-link';

// the checkout's root whether this runs from server/ or from a bundle in dist/node
export { PROJECT_ROOT };
export const RENDERER_DIR = join(PROJECT_ROOT, 'dist', 'renderer');

export interface ServeOptions {
  port: number;
  host: string;
  open: boolean;
  allowHosts: string[];
  rendererDir?: string;
  /** extra argv prefix for the helper (tests: nsenter into a sandbox) */
  helperWrap?: string[];
  /** show only namespaces whose name starts with this (one rig among many; the e2e sandboxes) */
  onlyPrefix?: string;
  log?: (line: string) => void;
}

export const NOT_ROOT_MESSAGE =
  'live features (discover, watch, plan, apply) need root: run `sudo netns-studio serve` for them. The editor, import and export work without.';

/** Build dist/renderer when it is missing and the project can build it. */
export function ensureRenderer(dir: string, log: (l: string) => void): boolean {
  if (existsSync(join(dir, 'index.html'))) return true;
  const config = join(PROJECT_ROOT, 'vite.renderer.config.ts');
  if (!existsSync(config)) {
    log(`netns-studio: the user interface is not built (${dir}) and cannot be built here (no vite.renderer.config.ts).`);
    return false;
  }
  log('netns-studio: building the user interface (first run)…');
  const vite = join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--config', config, '--logLevel', 'warn'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 || !existsSync(join(dir, 'index.html'))) {
    log('netns-studio: building the user interface failed; run `npm run build:renderer` to see why.');
    return false;
  }
  return true;
}

/**
 * The helper link of this serve, its start under way but not awaited: the server
 * listens meanwhile (the page needs no helper; live requests wait for the start),
 * so the first page is not held up by the helper's start.
 */
export async function helperLinkForServe(wrap: string[] | undefined, log: (l: string) => void, onlyPrefix?: string): Promise<HelperLink> {
  const started = (link: HelperLink) => {
    void link.connect().then((s) => {
      if (s.state !== 'connected') log(`netns-studio: the helper did not start: ${s.error?.message ?? s.state} (the editor still works; the UI can retry)`);
    });
    return link;
  };
  if (isSupervisedWebServer()) {
    // the root half of `sudo serve` starts our helpers (./root-supervisor.ts); without it we are done
    process.once('disconnect', () => process.exit(1));
    return started(createSupervisedHelperLink({ onlyPrefix, log }));
  }
  if (process.getuid?.() !== 0) {
    log(`netns-studio: ${NOT_ROOT_MESSAGE}`);
    return unavailableHelperLink(NOT_ROOT_MESSAGE);
  }
  const { createStdioHelperLink } = await import('../shell-core/stdio-helper-link');
  return started(createStdioHelperLink({ wrap, onlyPrefix, log }));
}

/** How long the page that carries the URL to the browser stays on disk: the browser reads it at once. */
const OPEN_FILE_MS = 60_000;

/**
 * Open the URL in a browser without putting it (and its token) on any command
 * line: every user can read /proc/PID/cmdline, and the browser would inherit it
 * (issue 15). The URL goes into a small HTML page in a fresh 0700 directory, the
 * file 0600, owned by the person (SUDO_UID under sudo); the browser is given the
 * file's path and redirects itself. `$BROWSER` (an absolute path) if set, else xdg-open.
 */
function openBrowser(url: string, log: (l: string) => void): () => void {
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return () => {};
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-open-'));
  const file = join(dir, 'open.html');
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  writeFileSync(
    file,
    `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}"><title>Netns Studio</title><a href="${attr}">Netns Studio</a>\n`,
    { mode: 0o600 },
  );
  const uid = Number(process.env.SUDO_UID);
  const gid = Number(process.env.SUDO_GID);
  if (process.getuid?.() === 0 && Number.isInteger(uid) && uid > 0 && Number.isInteger(gid)) {
    chownSync(dir, uid, gid);
    chownSync(file, uid, gid);
  }
  const remove = () => rmSync(dir, { recursive: true, force: true });
  setTimeout(remove, OPEN_FILE_MS).unref();
  const browser = process.env.BROWSER?.split(':')[0];
  const program = browser && isAbsolute(browser) ? browser : '/usr/bin/xdg-open';
  const child = spawn(program, [file], { stdio: 'ignore', detached: true });
  child.on('error', () => log('netns-studio: could not open a browser; open the URL above yourself.'));
  child.unref();
  return remove;
}

export async function runServe(opts: ServeOptions): Promise<{ server?: RunningServer; link?: HelperLink; stop(): Promise<void> }> {
  const log = opts.log ?? ((l: string) => console.error(l));
  // as root, only helpers stay root: the web server (HTTP, WebSocket, vite build, browser) is forked as the user
  const user = serveUser();
  if (user && !isSupervisedWebServer()) {
    log(`netns-studio: the helper runs as root; the web server runs as ${user.why}.`);
    return superviseServe({ user, helperWrap: opts.helperWrap, log });
  }
  const rendererDir = opts.rendererDir ?? RENDERER_DIR;
  ensureRenderer(rendererDir, log);
  const link = await helperLinkForServe(opts.helperWrap, log, opts.onlyPrefix);
  // what a browser asks root to do is confirmed by the helper with the root supervisor, at its terminal
  // (./root-supervisor.ts): not here, where whoever drives the helper's pipes could skip it (issue 15)
  const server = await startServer({ rendererDir, link, port: opts.port, host: opts.host, allowedHosts: opts.allowHosts, log });
  if (opts.host !== '127.0.0.1' && opts.host !== '::1' && opts.host !== 'localhost') {
    log(`netns-studio: WARNING: listening on ${opts.host}, not only on this machine. Anyone who has the URL (with its token) controls the helper.`);
  }
  console.log(
    `Netns Studio is running at:\n\n  ${server.url}\n\nThe address works once (its code is spent by the first browser; each use prints the next one).\nFrom another machine: ssh -L ${server.port}:127.0.0.1:${server.port} THIS-HOST, then open the URL there.\nStop with Ctrl-C.`,
  );
  // the browser we open gets a code of its own: the printed one stays good for the person
  const removeOpenFile = opts.open ? openBrowser(server.newUrl(), log) : () => {};
  return {
    server,
    link,
    async stop() {
      removeOpenFile();
      await server.close();
      await link.close();
    },
  };
}
