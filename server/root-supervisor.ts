/**
 * The root half of `sudo netns-studio serve` (./serve-roles.ts): fork the same
 * command as the unprivileged user for the web server, then start a stdio
 * helper each time it asks (its first start and every restart after a helper
 * died) and pass it the helper's pipes. Signals go to the web server; when it
 * ends, its helpers are stopped and we exit with its code.
 *
 * Each helper also gets a channel we keep (fd 3, `--confirm-fd 3`): what it
 * must not do on the web server's word alone (every apply and destroy, a
 * terminal, host captures and netem: helper/confirm/gate.ts) it asks there, and
 * we ask the person in this terminal (./terminal-confirmation.ts, ./supervisor-answers.ts).
 * So the terminal is ours: the web server gets no stdin.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { stdioHelperArgv } from '../helper/launch';
import { SERVE_ROLE_ENV, WEB_ROLE, type ToSupervisor, type ToWebServer } from './serve-roles';
import type { ServeUser } from './privilege-drop';
import type { Duplex } from 'node:stream';
import type { ConfirmChange } from '../shared/protocol/confirmation';
import { answerHelperAsks } from './supervisor-answers';
import { terminalConfirmer } from './terminal-confirmation';

export interface SupervisorOptions {
  user: ServeUser;
  /** argv prefix for helpers (tests: nsenter into a sandbox); never from the web server */
  helperWrap?: string[];
  log: (line: string) => void;
  /** who answers the helpers' asks (default: the person at this terminal) */
  confirm?: ConfirmChange;
}

/** The fd of a helper's confirmation channel: the first after stdin, stdout, stderr. */
export const CONFIRM_FD = 3;

const tail = (s: string) => (s.length > 8192 ? s.slice(-8192) : s);

export function superviseServe(opts: SupervisorOptions): { stop(): Promise<void>; web: ChildProcess } {
  const helpers = new Map<number, ChildProcess>();
  const web = fork(process.argv[1]!, process.argv.slice(2), {
    uid: opts.user.uid,
    gid: opts.user.gid,
    env: { ...process.env, [SERVE_ROLE_ENV]: WEB_ROLE },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const confirm = opts.confirm ?? terminalConfirmer({ input: process.stdin, print: (t) => console.log(t) });
  const tell = (m: ToWebServer, handle?: unknown) => {
    if (web.connected) web.send(m, handle as never);
  };

  const startHelper = (id: number) => {
    const argv = stdioHelperArgv({ wrap: opts.helperWrap, confirm: CONFIRM_FD });
    const h = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    // a socketpair, like the others; this one is never handed over
    answerHelperAsks(h.stdio[CONFIRM_FD] as Duplex, confirm, opts.log);
    helpers.set(id, h);
    let stderr = '';
    h.stderr!.on('data', (d: Buffer) => {
      stderr = tail(stderr + d.toString());
      for (const l of d.toString().split('\n')) if (l) opts.log(l);
    });
    h.on('error', (e) => {
      stderr = tail(`${stderr}\n${e.message}`);
    });
    h.on('close', (code, signal) => {
      helpers.delete(id);
      tell({ type: 'helper-exit', id, code, signal, stderr });
    });
    if (h.pid === undefined) return;
    // stdio pipes are socketpairs: their handles pass over IPC, and ours close once sent
    tell({ type: 'helper-pipe', id, pid: h.pid, end: 'stdin' }, h.stdin);
    tell({ type: 'helper-pipe', id, pid: h.pid, end: 'stdout' }, h.stdout);
  };

  web.on('message', (m: ToSupervisor) => {
    if (!m || typeof m !== 'object' || !Number.isInteger(m.id)) return;
    if (m.type === 'start-helper' && !helpers.has(m.id)) startHelper(m.id);
    else if (m.type === 'kill-helper') helpers.get(m.id)?.kill('SIGKILL');
  });
  const exited = new Promise<number>((resolve) =>
    web.once('exit', (code, signal) => {
      for (const h of helpers.values()) h.kill('SIGTERM');
      resolve(code ?? (signal ? 1 : 0));
    }),
  );
  void exited.then((code) => process.exit(code));
  return {
    web,
    async stop() {
      web.kill('SIGTERM');
      await exited;
    },
  };
}
