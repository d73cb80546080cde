/**
 * Processes holding unnamed namespaces, for kernel tests: started inside the
 * sandbox's host namespace (`unshare -n PROGRAM…` makes a fresh one; `nsenter
 * --net=/proc/PID/ns/net PROGRAM…` joins another's), waited for until the
 * kernel shows them in place, and killed by the caller's `finally` (or at exit).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import type { Sandbox } from './sandbox';

export interface Holder {
  pid: number;
  /** inode of its network namespace */
  inode: number;
  child: ChildProcess;
  /** SIGKILL and wait until /proc forgets it */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

const inodeOf = (pid: number | 'self') => {
  const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/ns/net`));
  return m ? Number(m[1]) : undefined;
};

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = f();
      if (v !== undefined) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Start argv (run as-is, after `nsenter --net=<sandbox host>`) and wait until its
 * process runs `comm` in a namespace other than the sandbox host's (or `inNs` when given).
 */
export async function startHolder(sb: Sandbox, argv: string[], comm: string, inNs?: number): Promise<Holder> {
  const child = spawn('nsenter', [`--net=/run/netns/${sb.hostNs}`, ...argv], { stdio: ['pipe', 'ignore', 'ignore'] });
  live.add(child);
  await once(child, 'spawn');
  const pid = child.pid!;
  const host = statSync(`/run/netns/${sb.hostNs}`).ino;
  // nsenter and unshare exec without forking: the child's pid becomes the program's
  const inode = await until(`${argv.join(' ')} to hold its namespace`, () => {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== comm) return undefined;
    const ino = inodeOf(pid);
    if (ino === undefined || ino === host) return undefined;
    return inNs === undefined || ino === inNs ? ino : undefined;
  });
  return {
    pid,
    inode,
    child,
    async kill() {
      child.kill('SIGKILL');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
      live.delete(child);
    },
  };
}
