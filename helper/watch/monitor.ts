/**
 * One `ip monitor all-nsid` process for every namespace: the kernel tells it
 * about link, address, route, rule and netconf changes in its own namespace and
 * in every namespace that has an nsid there (./nsids.ts gives them one). We use
 * it only as a trigger: "namespace N changed" (./nsid-scanner.ts).
 *
 * If the process dies it is started again (with a growing delay when it keeps
 * dying) and `onRestart` fires once it listens again: events in between are lost,
 * so subscribers resync. The same when ip reports that the kernel dropped
 * messages (a socket buffer overrun in a huge burst).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NsidScanner, type NsidRef } from './nsid-scanner';
import { RespawningChild, type RespawnHandlers } from './respawn';
import { programPath, resolvedArgv } from '../programs';

/** Objects we care about; `neigh` is left out on purpose (ARP churn would re-read busy namespaces all the time). */
export const MONITOR_ARGV = ['ip', 'monitor', 'all-nsid', 'link', 'address', 'route', 'rule', 'netconf'];

export interface MonitorHandlers extends RespawnHandlers {
  onNsid(nsid: NsidRef): void;
  /** the kernel dropped messages (ENOBUFS in a burst): changes were missed */
  onOverrun?(): void;
}

export interface MonitorOptions {
  /** argv prefix (the helper's `wrap` setting) */
  wrap?: string[];
  /** first restart delay; doubles while the process keeps dying soon after start */
  restartDelayMs?: number;
}

const MAX_RESTART_DELAY_MS = 2000;

export class KernelMonitor extends RespawningChild<MonitorHandlers> {
  constructor(
    handlers: MonitorHandlers,
    private readonly opts: MonitorOptions = {},
  ) {
    super('ip monitor', handlers, opts.restartDelayMs ?? 50, MAX_RESTART_DELAY_MS);
  }

  /** Start listening; resolves once the process waits for kernel messages. */
  async start(): Promise<void> {
    const argv = resolvedArgv([...(this.opts.wrap ?? []), programPath(MONITOR_ARGV[0]), ...MONITOR_ARGV.slice(1)]);
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.adopt(child);
    const scanner = new NsidScanner((n) => this.handlers.onNsid(n));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => scanner.push(d));
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-2000);
      // the kernel dropped messages for this socket (its buffer overflowed in a burst): ip goes on, we lost track
      if (/No buffer space|overrun|receive error/i.test(text)) this.handlers.onOverrun?.();
    });
    child.stdin.end();
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.once('exit', (code, signal) => {
      this.exited(child, `(${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`);
    });
    child.on('error', () => {}); // reported through exit
    await spawned;
    await waitListening(child.pid!);
  }
}

/**
 * Until `ip` sleeps in its netlink receive, a change could slip by unseen. The
 * kernel says where a process sleeps (/proc/PID/wchan); after `nsenter` exec's
 * `ip` the pid is the same. Gives up quietly after a second (slow machine).
 */
async function waitListening(pid: number): Promise<void> {
  const until = Date.now() + 1000;
  while (Date.now() < until) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8');
      if (comm === 'ip' && /wait_for_more_packets|recv/.test(wchan)) return;
    } catch {
      return; // gone: the exit handler restarts it
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}
