/**
 * The two processes of `sudo netns-studio serve` (issue 15) and the messages
 * between them, over the IPC channel of the one the other forked:
 *
 * - the root supervisor (./root-supervisor.ts) starts nothing but helpers, over
 *   stdio, when the web server asks, and hands it the helper's two pipe ends;
 * - the web server (./supervised-helper-link.ts) runs as the user and does
 *   everything else: HTTP, WebSocket, the vite build, the browser.
 *
 * The web server can only ask for "a helper": it names no program, path or
 * argument, so taking it over gives what its token gives (the helper protocol),
 * never a way to run something else as root.
 */
export const SERVE_ROLE_ENV = 'NETNS_STUDIO_SERVE_ROLE';
export const WEB_ROLE = 'web';

export type ToSupervisor = { type: 'start-helper'; id: number } | { type: 'kill-helper'; id: number };
export type ToWebServer =
  | { type: 'helper-pipe'; id: number; pid: number; end: 'stdin' | 'stdout' }
  | { type: 'helper-exit'; id: number; code: number | null; signal: string | null; stderr: string };

/** This process is the supervised web server: forked with an IPC channel, told so, and not root. */
export const isSupervisedWebServer = (): boolean => process.env[SERVE_ROLE_ENV] === WEB_ROLE && typeof process.send === 'function' && process.getuid?.() !== 0;
