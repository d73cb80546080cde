/**
 * The product's side of a watch subscription's sequence numbers: the helper numbers
 * its events 1, 2, 3… per subscription, and a client that misses one holds a
 * wrong picture from then on (every event but a resync is a diff). `accept` passes
 * each event on, numbered for the renderer without gaps across re-subscriptions,
 * and answers false at a gap (or a subscription that does not start with a
 * resync): the caller then subscribes again, and this stream passes nothing until
 * the new subscription's first event, a resync, replaces the renderer's picture.
 */
import type { WatchEvent } from '../shared/backend';
import type { Event } from '../shared/protocol/messages';
import type { WatchData } from '../shared/protocol/watch';

export class WatchStream {
  /** the helper's next seq; undefined until a subscription's first event */
  private expect?: number;
  private out = 0;
  /** gaps seen (tests, logs) */
  gaps = 0;

  constructor(private readonly onEvent: (e: WatchEvent) => void) {}

  /** A helper `watch` event; false when it does not follow the previous one (subscribe again, then call `restart`). */
  accept(e: Event): boolean {
    const data = e.data as WatchData;
    const fresh = this.expect === undefined;
    if (fresh ? data?.type !== 'resync' : e.seq !== this.expect) {
      this.gaps++;
      this.expect = undefined;
      return false;
    }
    this.expect = (e.seq ?? 0) + 1;
    this.onEvent({ ...data, seq: ++this.out });
    return true;
  }

  /** A new subscription starts: its first event must be a resync. */
  restart(): void {
    this.expect = undefined;
  }
}
