/**
 * The web server's HelperLink when `sudo netns-studio serve` split itself
 * (./serve-roles.ts): each start asks the root supervisor for a helper and speaks
 * to it over the pipes the supervisor passes; restarts after a death work as
 * with a stdio helper of our own.
 */
import type { Socket } from 'node:net';
import { HelperClient, HelperRequestError, greet, type ExitInfo } from '../helper/client';
import { createClientHelperLink } from '../shell-core/client-helper-link';
import type { HelperLink } from '../shell-core/helper-link';
import type { ToSupervisor, ToWebServer } from './serve-roles';

export interface SupervisedLinkOptions {
  onlyPrefix?: string;
  log?: (line: string) => void;
}

const START_TIMEOUT_MS = 30_000;

export function createSupervisedHelperLink(opts: SupervisedLinkOptions = {}): HelperLink {
  let nextId = 1;
  const waiting = new Map<
    number,
    { pipes: Partial<Record<'stdin' | 'stdout', Socket>>; ready: (pid: number) => void; exit: (e: Omit<ExitInfo, 'reason'>) => void }
  >();
  process.on('message', (m: ToWebServer, handle?: Socket) => {
    const w = m && waiting.get(m.id);
    if (!w) return;
    if (m.type === 'helper-pipe' && handle) {
      w.pipes[m.end] = handle;
      if (w.pipes.stdin && w.pipes.stdout) w.ready(m.pid);
    } else if (m.type === 'helper-exit') {
      waiting.delete(m.id);
      w.exit({ code: m.code, signal: m.signal, stderr: m.stderr });
    }
  });
  const ask = (m: ToSupervisor) => process.send!(m);

  const start = async (): Promise<HelperClient> => {
    const id = nextId++;
    let ready!: (pid: number) => void;
    let exit!: (e: Omit<ExitInfo, 'reason'>) => void;
    const up = new Promise<number>((r) => (ready = r));
    const exited = new Promise<Omit<ExitInfo, 'reason'>>((r) => (exit = r));
    const w = { pipes: {} as Partial<Record<'stdin' | 'stdout', Socket>>, ready, exit };
    waiting.set(id, w);
    ask({ type: 'start-helper', id });
    let timer: NodeJS.Timeout | undefined;
    const failed = await Promise.race([
      up.then(() => undefined),
      exited.then((e) => `the helper exited before it could be reached (code ${e.code}): ${e.stderr.trim().split('\n').slice(-2).join(' | ')}`),
      new Promise<string>((r) => {
        timer = setTimeout(() => r('the root supervisor started no helper in time'), START_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    if (failed) {
      ask({ type: 'kill-helper', id });
      throw new HelperRequestError({ code: 'helper-unavailable', message: failed });
    }
    const client = new HelperClient(w.pipes.stdout!, w.pipes.stdin!, { kill: () => ask({ type: 'kill-helper', id }), exited });
    return greet(client, 30_000);
  };

  return createClientHelperLink({ transport: 'stdio', scope: opts.onlyPrefix ? { onlyPrefix: opts.onlyPrefix } : undefined, log: opts.log, start });
}
