/**
 * Runs the programs of steps: always argument arrays, never a shell. `ip` lines
 * of one namespace go to one `ip [-n NS] -batch -` process; the line that failed
 * is read back from its `Command failed -:N` message.
 */
import { spawn } from 'node:child_process';
import { HOST_NS } from '../../shared/model/schema';
import { programPath, resolvedArgv } from '../programs';

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunnerOptions {
  /**
   * Prepended to every spawned argv. Tests use `['nsenter', '--net=/run/netns/SANDBOX']`
   * so that `host` means the sandbox; never set from a request.
   */
  wrap?: string[];
  /** called with the pid of each child, so a journal can name a process still running when we die */
  onSpawn?: (pid: number) => void;
  timeoutMs?: number;
}

export { programPath } from '../programs';

export function runProc(argv: string[], opts: RunnerOptions & { input?: string } = {}): Promise<ProcResult> {
  const full = resolvedArgv([...(opts.wrap ?? []), ...argv]);
  return new Promise((resolve) => {
    const child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    if (child.pid) opts.onSpawn?.(child.pid);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(e.message) });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.on('error', () => {
      /* child exited early; its exit code tells */
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** `ip [-n NS]` prefix for a namespace (`host` = the helper's own namespace). */
export function ipBase(ns: string): string[] {
  return ns === HOST_NS ? [programPath('ip')] : [programPath('ip'), '-n', ns];
}

/** Run a program inside a namespace: directly for `host`, else through `ip netns exec`. */
export function inNamespace(ns: string, argv: string[]): string[] {
  return ns === HOST_NS ? argv : [programPath('ip'), 'netns', 'exec', ns, ...argv];
}

export interface BatchResult {
  code: number;
  /** 0-based line index → the error text ip printed for it */
  failures: Map<number, string>;
  stderr: string;
}

/**
 * Feed lines (argv without the leading `ip`) to one `ip -batch -`. Without `force`,
 * ip stops at the first failing line; with it, ip runs every line (used by rollback).
 */
export async function runIpBatch(ns: string, lines: string[][], opts: RunnerOptions & { force?: boolean } = {}): Promise<BatchResult> {
  const argv = [...ipBase(ns), ...(opts.force ? ['-force'] : []), '-batch', '-'];
  const r = await runProc(argv, { ...opts, input: lines.map((l) => l.join(' ')).join('\n') + '\n' });
  return { code: r.code, failures: parseBatchErrors(r.stderr, lines.length), stderr: r.stderr };
}

/** `…error text…\nCommand failed -:N` blocks → line index → error text. */
export function parseBatchErrors(stderr: string, lineCount: number): Map<number, string> {
  const failures = new Map<number, string>();
  let pending: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^Command failed -:(\d+)\s*$/.exec(line);
    if (m) {
      const n = Number(m[1]) - 1;
      if (n >= 0 && n < lineCount) failures.set(n, pending.join('\n').trim());
      pending = [];
    } else if (line.trim()) {
      pending.push(line);
    }
  }
  return failures;
}
