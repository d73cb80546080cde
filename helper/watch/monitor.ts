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
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { NsidScanner, type NsidRef } from './nsid-scanner';

/** Objects we care about; `neigh` is left out on purpose (ARP churn would re-read busy namespaces all the time). */
export const MONITOR_ARGV = ['ip', 'monitor', 'all-nsid', 'link', 'address', 'route', 'rule', 'netconf'];

export interface MonitorHandlers {
  onNsid(nsid: NsidRef): void;
  /** the process had died and listens again: changes in between were missed */
  onRestart(): void;
  /** the kernel dropped messages (ENOBUFS in a burst): changes were missed */
  onOverrun?(): void;
  log?(line: string): void;
}

export interface MonitorOptions {
  /** argv prefix (the helper's `wrap` setting) */
  wrap?: string[];
  /** first restart delay; doubles while the process keeps dying soon after start */
  restartDelayMs?: number;
}

const MAX_RESTART_DELAY_MS = 2000;
/** a process that lived this long counts as healthy: the next restart is quick again */
const HEALTHY_MS = 5000;

export class KernelMonitor {
  private child?: ChildProcessWithoutNullStreams;
  private stopped = false;
  private delay: number;
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  /** how many times it was restarted after dying (diagnostics, tests) */
  restarts = 0;

  /** a helper that exits for any reason takes its monitor along (an idle ip monitor would never notice) */
  private readonly onExit = () => this.child?.kill('SIGTERM');

  constructor(private readonly handlers: MonitorHandlers, private readonly opts: MonitorOptions = {}) {
    this.delay = opts.restartDelayMs ?? 50;
    process.once('exit', this.onExit);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start listening; resolves once the process waits for kernel messages. */
  async start(): Promise<void> {
    const argv = [...(this.opts.wrap ?? []), ...MONITOR_ARGV];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.startedAt = Date.now();
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
      if (this.child !== child) return;
      this.child = undefined;
      if (this.stopped) return;
      this.handlers.log?.(`ip monitor exited (${signal ?? `code ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}; restarting`);
      this.scheduleRestart();
    });
    child.on('error', () => {}); // reported through exit
    await spawned;
    await waitListening(child.pid!);
  }

  stop(): void {
    this.stopped = true;
    process.off('exit', this.onExit);
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  private scheduleRestart() {
    const lived = Date.now() - this.startedAt;
    this.delay = lived > HEALTHY_MS ? (this.opts.restartDelayMs ?? 50) : Math.min(this.delay * 2, MAX_RESTART_DELAY_MS);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts++;
      this.start().then(
        () => this.stopped || this.handlers.onRestart(),
        (e) => {
          this.handlers.log?.(`ip monitor did not start: ${(e as Error).message}`);
          if (!this.stopped) this.scheduleRestart();
        },
      );
    }, this.delay);
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
