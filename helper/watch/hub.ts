/**
 * What every watch subscription of one helper shares: one kernel monitor
 * (./monitor.ts), one nf_tables listener (./nft-listen.ts), one watch on
 * /run/netns (./netns-dir.ts), one on /etc/netns (./etc-netns.ts: resolv.conf)
 * and the nsid → name map of the monitors' namespace (./nsids.ts). The hub turns
 * "nsid N changed" into "namespace NAME changed" (NAT only, for the nf_tables
 * listener) and hands that to every subscriber, which keeps only what it
 * watches. So the number of helper processes stays bounded whatever the number
 * of namespaces or subscribers: two monitors, plus short-lived readers.
 *
 * Hubs are kept per `wrap` (normally one) and stop when their last subscriber leaves.
 */
import { HOST_NS } from '../../shared/model/schema';
import { watchEtcNetns, type EtcNetnsWatch } from './etc-netns';
import { KernelMonitor } from './monitor';
import { watchNetnsDir, type DirWatch } from './netns-dir';
import { NftListener } from './nft-listen';
import type { NsidRef } from './nsid-scanner';
import { assignAndListNsids } from './nsids';
import { ProcScan } from './proc-scan';
import { ownInode } from '../discover/targets';

export interface HubSubscriber {
  /** a kernel change in namespace `name` (`host` = the monitor's own) */
  touched(name: string): void;
  /** an nf_tables change (iptables-nft) in namespace `name`: its NAT table may differ */
  natTouched?(name: string): void;
  /** a change under an nsid no named namespace has (an unnamed one, or one not listed yet) */
  unknownTouched?(nsid: number): void;
  /** /run/netns changed */
  dirChanged(): void;
  /** changes may have been missed (monitor restarted): resync */
  lost(reason: string): void;
  /** true when it watches unnamed namespaces: the hub then runs the periodic process scan (./proc-scan.ts) */
  readonly watchesUnnamed?: boolean;
  /** the process scan saw namespaces, holders or nsfs mounts change */
  unnamedChanged?(): void;
}

export class WatchHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private readonly monitor: KernelMonitor;
  private readonly nft: NftListener;
  private dir?: DirWatch;
  private etc?: EtcNetnsWatch;
  private byNsid = new Map<number, string>();
  /** nsids seen in events but not in the map after the last refresh (out of scope, or unnamed) */
  private readonly unknown = new Set<number>();
  /** nsids waiting for a map refresh before they can be dispatched, with what changed there */
  private readonly waiting = new Map<number, Set<Change>>();
  private refreshing?: Promise<void>;
  private started?: Promise<void>;
  private scan?: ProcScan;

  constructor(
    private readonly wrap: string[] | undefined,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.monitor = new KernelMonitor(
      {
        onNsid: (n) => this.onNsid(n),
        onRestart: () => {
          for (const s of this.subscribers) s.lost('the kernel monitor restarted');
        },
        onOverrun: () => {
          for (const s of this.subscribers) s.lost('the kernel dropped monitor messages');
        },
        log,
      },
      { wrap },
    );
    this.nft = new NftListener(
      {
        onNsid: (n) => this.onNsid(n, 'nat'),
        onRestart: () => {
          for (const s of this.subscribers) s.lost('the nf_tables listener restarted');
        },
        onOverrun: () => {
          for (const s of this.subscribers) s.lost('the kernel dropped nf_tables messages');
        },
        log,
      },
      wrap,
    );
  }

  get monitorPid(): number | undefined {
    return this.monitor.pid;
  }

  get monitorRestarts(): number {
    return this.monitor.restarts;
  }

  /** Start the monitors and the directory watches (once). */
  start(): Promise<void> {
    this.started ??= Promise.all([
      this.monitor.start(),
      // without it (no perl, or a kernel refusing the socket) NAT shows with each namespace's next kernel event
      this.nft.start().catch((e) => this.log(`NAT changes will show with the next kernel event: ${(e as Error).message}`)),
    ]).then(() => {
      this.dir = watchNetnsDir(
        () => {
          this.unknown.clear(); // a new namespace may own an nsid we gave up on
          for (const s of this.subscribers) s.dirChanged();
        },
        undefined,
        this.log,
      );
      this.etc = watchEtcNetns((name) => this.fan(name, 'kernel'), undefined, this.log);
    });
    return this.started;
  }

  add(s: HubSubscriber): void {
    this.subscribers.add(s);
    if (s.watchesUnnamed) {
      this.scan ??= new ProcScan(ownInode(), () => {
        for (const x of this.subscribers) x.unnamedChanged?.();
      });
      this.scan.start();
    }
  }

  /** Remove a subscriber; true when it was the last (the caller then stops the hub). */
  remove(s: HubSubscriber): boolean {
    this.subscribers.delete(s);
    if (![...this.subscribers].some((x) => x.watchesUnnamed)) this.scan?.stop();
    return this.subscribers.size === 0;
  }

  /** the process scan's count and total ms (tests, benchmark) */
  get scanCost(): { scans: number; ms: number } | undefined {
    return this.scan?.cost;
  }

  stop(): void {
    this.scan?.stop();
    this.monitor.stop();
    this.nft.stop();
    this.dir?.close();
    this.etc?.close();
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

  private onNsid(n: NsidRef, change: Change = 'kernel') {
    if (n === 'current') return this.fan(HOST_NS, change);
    const name = this.byNsid.get(n);
    if (name !== undefined) return this.fan(name, change);
    if (this.unknown.has(n)) {
      for (const s of this.subscribers) s.unknownTouched?.(n);
      return;
    }
    // an nsid given since our last look (a namespace someone else just made visible): look again
    const first = this.waiting.size === 0;
    this.waiting.set(n, (this.waiting.get(n) ?? new Set<Change>()).add(change));
    if (first) this.ensureIds([]).catch((e) => this.log(`cannot list nsids: ${(e as Error).message}`));
  }

  private dispatchWaiting() {
    const ids = [...this.waiting];
    this.waiting.clear();
    for (const [n, changes] of ids) {
      const name = this.byNsid.get(n);
      if (name !== undefined) for (const c of changes) this.fan(name, c);
      else {
        this.unknown.add(n);
        for (const s of this.subscribers) s.unknownTouched?.(n);
      }
    }
  }

  private fan(name: string, change: Change) {
    for (const s of this.subscribers) {
      if (change === 'nat') s.natTouched?.(name);
      else s.touched(name);
    }
  }
}

/** `kernel`: links, addresses, routes, rules, sysctls or resolv.conf (everything is re-read); `nat`: the NAT table only */
type Change = 'kernel' | 'nat';

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
