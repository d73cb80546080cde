/**
 * A long-running listener process (./monitor.ts, ./nft-listen.ts) that is started
 * again when it dies: with a delay that doubles (up to a limit) while it keeps
 * dying soon after start, the first delay again after a healthy run. `onRestart`
 * fires once it listens again. A helper that exits for any reason takes the
 * process along (an idle listener would never notice).
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** a process that lived this long counts as healthy: the next restart is quick again */
const HEALTHY_MS = 5000;

export interface RespawnHandlers {
  /** the process had died and listens again: changes in between were missed */
  onRestart(): void;
  log?(line: string): void;
}

export abstract class RespawningChild<H extends RespawnHandlers> {
  private child?: ChildProcessWithoutNullStreams;
  private stopped = false;
  private startedAt = 0;
  private delay: number;
  private timer?: NodeJS.Timeout;
  /** how many times it was restarted after dying (diagnostics, tests) */
  restarts = 0;

  private readonly onExit = () => this.child?.kill('SIGTERM');

  constructor(
    /** names the process in log lines */
    private readonly name: string,
    protected readonly handlers: H,
    private readonly firstDelayMs: number,
    private readonly maxDelayMs: number,
  ) {
    this.delay = firstDelayMs;
    process.once('exit', this.onExit);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start listening; resolves once the process listens. */
  abstract start(): Promise<void>;

  stop(): void {
    this.stopped = true;
    process.off('exit', this.onExit);
    if (this.timer) clearTimeout(this.timer);
    this.child?.kill('SIGTERM');
    this.child = undefined;
  }

  /** `child` is the process now */
  protected adopt(child: ChildProcessWithoutNullStreams): void {
    this.child = child;
    this.startedAt = Date.now();
  }

  /** `child` exited (`why`: how, for the log): forget it and, unless stopped or `restart` is false, start again */
  protected exited(child: ChildProcessWithoutNullStreams, why: string, restart = true): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopped || !restart) return;
    this.handlers.log?.(`${this.name} exited ${why}; restarting`);
    this.scheduleRestart();
  }

  private scheduleRestart() {
    const lived = Date.now() - this.startedAt;
    this.delay = lived > HEALTHY_MS ? this.firstDelayMs : Math.min(this.delay * 2, this.maxDelayMs);
    this.timer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts++;
      this.start().then(
        () => this.stopped || this.handlers.onRestart(),
        (e) => {
          this.handlers.log?.(`${this.name} did not start again: ${(e as Error).message}`);
          if (!this.stopped) this.scheduleRestart();
        },
      );
    }, this.delay);
  }
}
