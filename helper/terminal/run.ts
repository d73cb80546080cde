/**
 * A shell inside a namespace on a pseudo-terminal, for the app's terminal panel.
 *
 * The pty comes from util-linux's `script` (Debian's bsdutils, an Essential
 * package: on every Debian host), run by absolute path through nsenter; it runs
 * `$SHELL` (bash by absolute path) on a fresh pty and relays it to our pipes.
 * Not node-pty: that is a native addon, which the helper — one self-contained
 * bundle, run on Electron's binary when packaged — would have to carry built for
 * each Node/Electron ABI and keep outside the asar. `script` cannot be told a
 * window size, so a resize sets it on the shell's own terminal with
 * `stty -F /dev/pts/N rows R cols C` (the kernel then sends SIGWINCH).
 *
 * The environment is fixed here (TERM, PATH of system directories, HOME of root),
 * never the helper's; the prompt names the namespace (`(netns:NAME)` through
 * Debian's bash.bashrc `debian_chroot`, and PS1).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { TerminalEvent } from '../../shared/protocol/methods';
import { hasProgram, programPath, resolvedArgv } from '../programs';
import { runProgram } from '../proc';
import { inNamespace } from '../capture/run';

export interface RunningTerminal {
  write(data: string): void;
  resize(cols: number, rows: number): Promise<void>;
  close(): void;
  /** resolves when the shell and `script` are gone */
  done: Promise<void>;
  /** stop/resume reading the shell's output (a client that falls behind) */
  pause(): void;
  resume(): void;
}

export function terminalMissing(): string | undefined {
  if (!hasProgram('script')) return '`script` (util-linux) is not installed (Debian: apt-get install bsdutils)';
  if (!hasProgram('stty')) return '`stty` (coreutils) is not installed';
  if (!hasProgram('bash') && !hasProgram('sh')) return 'no shell (bash or sh) is installed';
  return undefined;
}

const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function openTerminal(
  namespace: string,
  size: { cols: number; rows: number },
  opts: { wrap?: string[]; emit: (e: TerminalEvent) => void },
): RunningTerminal {
  const shell = hasProgram('bash') ? programPath('bash') : programPath('sh');
  const full = resolvedArgv([...(opts.wrap ?? []), ...inNamespace(namespace), programPath('script'), '--quiet', '--flush', '--return', '/dev/null']);
  const env = {
    SHELL: shell,
    TERM: 'xterm-256color',
    COLORTERM: 'truecolor',
    PATH: SYSTEM_PATH,
    HOME: '/root',
    USER: 'root',
    LOGNAME: 'root',
    LANG: process.env.LANG && /^[A-Za-z0-9_.@-]+$/.test(process.env.LANG) ? process.env.LANG : 'C.UTF-8',
    debian_chroot: `netns:${namespace}`,
    PS1: `(netns:${namespace}) \\u@\\h:\\w\\$ `,
    NETNS_STUDIO_NAMESPACE: namespace,
  };
  const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env, cwd: '/root' });
  child.stdin.on('error', () => {});
  const decoder = new StringDecoder('utf8');
  const out = (d: Buffer) => {
    const text = decoder.write(d);
    if (text) opts.emit({ type: 'output', data: text });
  };
  child.stdout.on('data', out);
  child.stderr.on('data', out);

  /** the shell `script` started (its child) and the pty it sits on */
  let shellPid: number | undefined;
  const findShell = (): { pid: number; tty: string } | undefined => {
    if (!child.pid) return undefined;
    try {
      const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      for (const pid of kids) {
        const tty = readlinkSync(`/proc/${pid}/fd/0`);
        if (/^\/dev\/pts\/\d+$/.test(tty)) return { pid, tty };
      }
    } catch {
      /* not started yet, or gone */
    }
    return undefined;
  };
  const waitShell = async (): Promise<{ pid: number; tty: string } | undefined> => {
    for (let i = 0; i < 100 && child.exitCode === null; i++) {
      const s = findShell();
      if (s) return s;
      await new Promise((r) => setTimeout(r, 20));
    }
    return undefined;
  };
  let current = size;
  const applySize = async () => {
    const s = await waitShell();
    if (!s) return;
    shellPid = s.pid;
    await runProgram([programPath('stty'), '-F', s.tty, 'rows', String(current.rows), 'cols', String(current.cols)], { timeoutMs: 5000 });
  };
  const ready = applySize();

  let closing = false;
  const done = new Promise<void>((resolve) => {
    child.on('close', (code, signal) => {
      const rest = decoder.end();
      if (rest) opts.emit({ type: 'output', data: rest });
      opts.emit(signal ? { type: 'exit', code, signal } : { type: 'exit', code });
      resolve();
    });
    child.on('error', (e) => {
      opts.emit({ type: 'output', data: `\r\nnetns-studio: could not start the terminal: ${e.message}\r\n` });
    });
  });

  return {
    write: (data) => {
      if (!closing && child.stdin.writable) child.stdin.write(data);
    },
    resize: async (cols, rows) => {
      current = { cols, rows };
      await ready;
      await applySize();
    },
    close: () => {
      if (closing) return;
      closing = true;
      // a terminal that goes away hangs up its shell (bash ignores SIGTERM when interactive)
      const pid = shellPid ?? findShell()?.pid;
      if (pid) {
        try {
          process.kill(pid, 'SIGHUP');
        } catch {
          /* gone */
        }
      }
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
    done,
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
  };
}
