/**
 * Runs programs for the helper: argument arrays only, never a shell. `wrap` is an
 * argv prefix set from the helper's own command line (tests run the helper's
 * programs inside a sandbox); requests never reach it.
 */
import { spawn } from 'node:child_process';
import { resolvedArgv } from './programs';

export interface ProcResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ProcOptions {
  input?: string;
  timeoutMs?: number;
  wrap?: string[];
}

export function runProgram(argv: string[], opts: ProcOptions = {}): Promise<ProcResult> {
  // the first word, whether the wrap's or the program's, never comes from $PATH (./programs.ts)
  const full = resolvedArgv([...(opts.wrap ?? []), ...argv]);
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(full[0], full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      return resolve({ code: -1, stdout: '', stderr: (e as Error).message });
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      resolve({ code: -1, stdout: '', stderr: e.message });
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** Run at most `limit` async jobs at once, keeping result order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
