/**
 * A client that does not read its events must not make the helper buffer without
 * end. The gate watches the transport's queue: past `high` bytes the client is
 * behind (the session stops sending and forgets what it would have sent); once
 * the queue drains under `low`, `onCaughtUp` fires and the session sends one
 * resync instead of the events the client missed.
 */
export const HIGH_WATER = 8 * 1024 * 1024;
export const LOW_WATER = 256 * 1024;
const POLL_MS = 25;

export class BacklogGate {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queued: (() => number) | undefined,
    private readonly onCaughtUp: () => void,
    private readonly high = HIGH_WATER,
    private readonly low = LOW_WATER,
  ) {}

  /** true while the client is behind; checks the queue when it was not */
  get behind(): boolean {
    if (this.timer) return true;
    if ((this.queued?.() ?? 0) <= this.high) return false;
    this.timer = setInterval(() => {
      if ((this.queued?.() ?? 0) > this.low) return;
      this.close();
      this.onCaughtUp();
    }, POLL_MS);
    return true;
  }

  /** still waiting for the client (no check of the queue) */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
