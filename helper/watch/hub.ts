/**
 * What every watch subscription of one helper shares: one kernel monitor
 * (./monitor.ts), one watch on /run/netns (./netns-dir.ts) and the nsid → name
 * map of the monitor's namespace (./nsids.ts). The hub turns the monitor's
 * "nsid N changed" into "namespace NAME changed" and hands that to every
 * subscriber, which keeps only what it watches. So the number of helper
 * processes stays bounded whatever the number of namespaces or subscribers:
 * one monitor, plus short-lived readers.
 *
 * Hubs are kept per `wrap` (normally one) and stop when their last subscriber leaves.
 */
import { HOST_NS } from '../../shared/model/schema';
import { KernelMonitor } from './monitor';
import { watchNetnsDir, type DirWatch } from './netns-dir';
import type { NsidRef } from './nsid-scanner';
import { assignAndListNsids } from './nsids';

export interface HubSubscriber {
  /** a kernel change in namespace `name` (`host` = the monitor's own) */
  touched(name: string): void;
  /** an nsid no named namespace has: maybe one we have not listed yet */
  unknownTouched?(): void;
  /** /run/netns changed */
  dirChanged(): void;
  /** changes may have been missed (monitor restarted): resync */
  lost(reason: string): void;
}

export class WatchHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private readonly monitor: KernelMonitor;
  private dir?: DirWatch;
  private byNsid = new Map<number, string>();
  /** nsids seen in events but not in the map after the last refresh (out of scope, or unnamed) */
  private readonly unknown = new Set<number>();
  /** nsids waiting for a map refresh before they can be dispatched */
  private readonly waiting = new Set<number>();
  private refreshing?: Promise<void>;
  private started?: Promise<void>;

  constructor(private readonly wrap: string[] | undefined, private readonly log: (line: string) => void = () => {}) {
    this.monitor = new KernelMonitor({
      onNsid: (n) => this.onNsid(n),
      onRestart: () => {
        for (const s of this.subscribers) s.lost('the kernel monitor restarted');
      },
      onOverrun: () => {
        for (const s of this.subscribers) s.lost('the kernel dropped monitor messages');
      },
      log,
    }, { wrap });
  }

  get monitorPid(): number | undefined {
    return this.monitor.pid;
  }

  get monitorRestarts(): number {
    return this.monitor.restarts;
  }

  /** Start the monitor and the directory watch (once). */
  start(): Promise<void> {
    this.started ??= this.monitor.start().then(() => {
      this.dir = watchNetnsDir(() => {
        this.unknown.clear(); // a new namespace may own an nsid we gave up on
        for (const s of this.subscribers) s.dirChanged();
      }, undefined, this.log);
    });
    return this.started;
  }

  add(s: HubSubscriber): void {
    this.subscribers.add(s);
  }

  /** Remove a subscriber; true when it was the last (the caller then stops the hub). */
  remove(s: HubSubscriber): boolean {
    this.subscribers.delete(s);
    return this.subscribers.size === 0;
  }

  stop(): void {
    this.monitor.stop();
    this.dir?.close();
  }

  /**
   * Give these named namespaces an nsid (so the monitor hears them) and reread the
   * whole map. Serialised: concurrent callers run one after another.
   */
  async ensureIds(names: string[]): Promise<void> {
    const prev = this.refreshing ?? Promise.resolve();
    const run = prev.then(async () => {
      this.byNsid = await assignAndListNsids(names, this.wrap);
      this.unknown.clear();
    });
    this.refreshing = run.catch(() => {}).then(() => this.dispatchWaiting());
    return run;
  }

  private onNsid(n: NsidRef) {
    if (n === 'current') return this.fan(HOST_NS);
    const name = this.byNsid.get(n);
    if (name !== undefined) return this.fan(name);
    if (this.unknown.has(n)) {
      for (const s of this.subscribers) s.unknownTouched?.();
      return;
    }
    // an nsid given since our last look (a namespace someone else just made visible): look again
    this.waiting.add(n);
    if (this.waiting.size === 1) this.ensureIds([]).catch((e) => this.log(`cannot list nsids: ${(e as Error).message}`));
  }

  private dispatchWaiting() {
    const ids = [...this.waiting];
    this.waiting.clear();
    for (const n of ids) {
      const name = this.byNsid.get(n);
      if (name !== undefined) this.fan(name);
      else {
        this.unknown.add(n);
        for (const s of this.subscribers) s.unknownTouched?.();
      }
    }
  }

  private fan(name: string) {
    for (const s of this.subscribers) s.touched(name);
  }
}

const hubs = new Map<string, { hub: WatchHub; users: number }>();

/** The shared hub for this `wrap`, started. Pair with releaseHub. */
export async function acquireHub(wrap: string[] | undefined, log?: (line: string) => void): Promise<WatchHub> {
  const key = JSON.stringify(wrap ?? []);
  let entry = hubs.get(key);
  if (!entry) {
    entry = { hub: new WatchHub(wrap, log), users: 0 };
    hubs.set(key, entry);
  }
  entry.users++;
  try {
    await entry.hub.start();
  } catch (e) {
    releaseHub(entry.hub);
    throw e;
  }
  return entry.hub;
}

export function releaseHub(hub: WatchHub): void {
  for (const [key, entry] of hubs) {
    if (entry.hub !== hub) continue;
    if (--entry.users <= 0) {
      hubs.delete(key);
      hub.stop();
    }
    return;
  }
}

/** Live hubs (tests and the benchmark look at the monitor process). */
export function liveHubs(): WatchHub[] {
  return [...hubs.values()].map((e) => e.hub);
}
