/**
 * What a watch client does with the events: keep a picture of the host (observed
 * namespaces by the name events use, and the document: the last resync with every
 * event's namespace part applied, shared/protocol/watch.ts) and check that sequence numbers
 * follow each other. Used by the tests, the CLI test and the benchmark; a client
 * that finds a gap should subscribe again (it then starts with a resync).
 */
import type { ObservedNamespace } from '../shared/model/observed';
import type { Topology } from '../shared/model/schema';
import type { Event, WatchData } from '../shared/protocol/messages';
import { applyWatchData, type WatchedHost } from '../shared/protocol/watch';

export interface MirroredEvent {
  seq: number;
  data: WatchData;
  /** the document the mirror holds after applying this event (the last resync with every part since) */
  document: Topology;
  /** performance.now() when it arrived */
  at: number;
}

export class WatchMirror {
  readonly events: MirroredEvent[] = [];
  namespaces = new Map<string, ObservedNamespace>();
  document?: Topology;
  private host?: WatchedHost;
  /** seq values that did not follow the previous one */
  readonly gaps: { after: number; got: number }[] = [];
  private waiters: { pred: (e: MirroredEvent) => boolean; from: number; resolve: (e: MirroredEvent) => void }[] = [];

  /** Feed one protocol event (others than `watch` are ignored). */
  accept(e: Event): void {
    if (e.event !== 'watch') return;
    const seq = e.seq ?? -1;
    const last = this.events.at(-1)?.seq;
    if (last !== undefined && seq !== last + 1) this.gaps.push({ after: last, got: seq });
    const data = e.data as WatchData;
    this.host = applyWatchData(this.host, data);
    if (!this.host) throw new Error(`watch event ${seq} (${data.type}) before any resync`);
    this.document = this.host.document;
    const m: MirroredEvent = { seq, data, document: this.document, at: performance.now() };
    this.events.push(m);
    if (data.type === 'resync') this.namespaces = new Map(data.observed.namespaces.map((n) => [n.name, n]));
    else if (data.type === 'namespace-removed') this.namespaces.delete(data.namespace);
    else this.namespaces.set(data.observed.name, data.observed);
    this.waiters = this.waiters.filter((w) => {
      if (this.events.length - 1 < w.from || !w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  /** Number of events so far (a cursor for `next`). */
  get count(): number {
    return this.events.length;
  }

  /** The first event at or after index `from` that satisfies `pred`. */
  next(pred: (e: MirroredEvent) => boolean, opts: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<MirroredEvent> {
    const from = opts.from ?? 0;
    const hit = this.events.slice(from).find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no watch event ${opts.what ?? ''} within ${opts.timeoutMs ?? 5000} ms; last: ${JSON.stringify(this.events.slice(-3).map((e) => [e.seq, e.data.type, 'namespace' in e.data ? e.data.namespace : '']))}`,
          ),
        );
      }, opts.timeoutMs ?? 5000);
      const waiter = { pred, from, resolve: (e: MirroredEvent) => (clearTimeout(timer), resolve(e)) };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once no event arrived for `quietMs`. */
  async settled(quietMs = 500, timeoutMs = 30_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    for (;;) {
      const last = this.events.at(-1)?.at ?? 0;
      const idle = performance.now() - last;
      if (idle >= quietMs) return;
      if (performance.now() > until) throw new Error(`watch events did not settle within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, quietMs - idle + 5));
    }
  }
}
