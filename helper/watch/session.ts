/**
 * One watch subscription: keeps the observed host it watches (the namespaces its
 * onlyPrefix/unnamed options select), hears "namespace N changed" and "/run/netns
 * changed" from the shared hub (./hub.ts), re-reads only what changed, and sends
 * the difference as numbered WatchData events (shared/protocol/messages.ts):
 *
 * - a `resync` first, after the kernel monitor restarted, after the client fell
 *   behind (./backlog.ts), after a failed read, and
 *   instead of a flood (more than MAX_EVENTS namespaces changed at once);
 * - otherwise `namespace-added` / `-changed` / `-removed`, each with only that
 *   namespace's observed facts and its part of the document (./document.ts), and
 *   the running forwarders when they changed. A namespace whose facts did not change (traffic
 *   counters aside, ./fingerprint.ts) sends nothing.
 *
 * Bursts coalesce: the first trigger starts a short timer (COALESCE_MS); triggers
 * arriving while a read runs only mark namespaces dirty for the next round.
 * A kernel event re-reads links, addresses, routes, rules, sysctls and
 * resolv.conf at once (/etc/netns changes come through the hub as kernel events)
 * and the NAT table (a second, slower process) in a later round. An nf_tables
 * change (the hub's nft listener) re-reads only the NAT table, at once. Without
 * that listener, or with legacy x_tables, NAT changes show with the namespace's
 * next kernel event or resync.
 */
import { readdirSync } from 'node:fs';
import { heldForTest } from './test-hold';
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS, type Forwarder, type Topology } from '../../shared/model/schema';
import type { WatchData } from '../../shared/protocol/messages';
import { findTargets, readTargets, stripHost, type DiscoverOptions } from '../discover/index';
import { isSafeNetnsName, namedTarget, NETNS_DIR, type Target } from '../discover/targets';
import { discoveredForwarders, documentForwarders } from '../forwarders/in-document';
import { helperForwarders } from '../forwarders/runtime';
import { digest } from './fingerprint';
import { BacklogGate } from './backlog';
import { DocumentParts } from './document';
import { acquireHub, releaseHub, type HubSubscriber, type WatchHub } from './hub';
import { resolveChanged } from './peers';
import { listIdsIn, readFresh, type FreshRead } from './read';
import { natLines } from '../discover/nat';
import { readNat } from '../discover/read';

export const COALESCE_MS = 4;
/** NAT tables are read this long after the events that left them out (kernel bursts go first) */
const NAT_DELAY_MS = 30;
/** more namespaces than this changed in one round: one resync instead of a document per namespace */
export const MAX_EVENTS = 16;
const RETRY_MS = 200;
/** unnamed namespaces re-read on a guess (a change under an nsid we cannot name) at most this often */
const GUESS_MS = 200;
/** namespaces with more links than this are read outside the rounds, on a netlink reader of their own (see readBig) */
export const BIG_LINKS = 64;
/** the long-lived netlink reader for big namespaces (0 serves the rounds, 0 and 1 discover: ../discover/netlink.ts) */
const BIG_READER = 2;
/** NETNS_STUDIO_WATCH_TRACE=1: log when each event is sent (bench:live-path reads it) */
const TRACE = process.env.NETNS_STUDIO_WATCH_TRACE === '1';

export interface WatchSink {
  emit(data: WatchData, seq: number): void;
  /** bytes written but not yet taken by the client */
  backlog?(): number;
}

export interface WatchOptions extends Pick<DiscoverOptions, 'unnamed' | 'onlyPrefix' | 'stripPrefix' | 'nat'> {
  /** argv prefix for the monitor and nsid programs (the helper's `wrap` setting) */
  wrap?: string[];
  log?: (line: string) => void;
}

/** why the namespaces in scope are listed again (a /proc listing with unnamed ones: costly on a busy host) */
export type ListReason = 'resync' | 'new-name' | 'dir' | 'scan' | 'mount' | 'vanished';

interface Kept {
  ns: ObservedNamespace;
  /** digest of its fingerprint (./fingerprint.ts) */
  fp: string;
  /** round in which this name appeared (or was replaced by another namespace) */
  since: number;
  /** round in which its peers were last resolved (its nsids mapping dates from then) */
  resolvedAt: number;
}

export class WatchSession implements HubSubscriber {
  /** resolves after the first resync was sent; rejects when the monitor cannot start */
  readonly ready: Promise<void>;
  private hub?: WatchHub;
  private seq = 0;
  private targets: Target[] = [];
  private state = new Map<string, Kept>();
  private warnings: string[] = [];
  private dirty = new Set<string>();
  /** unnamed namespaces one of which changed, we do not know which (see unknownTouched) */
  private guessed = new Set<string>();
  private lastGuessRound = -Infinity;
  /** re-read for a kernel event without their NAT table: read it in a later, quieter round */
  private natDirty = new Set<string>();
  private rescan = false;
  private readonly listReasons = new Set<ListReason>();
  /** big namespaces changed since their last read, waiting for readBig */
  private bigDirty = new Set<string>();
  private bigReading = false;
  /** a finished big read, merged by the next round (dropped when a resync came between: `epoch`) */
  private bigRead?: { epoch: number; targets: Target[]; fresh: FreshRead };
  /** counts resyncs: a big read started before one is stale */
  private epoch = 0;
  private needResync = true;
  private closed = false;
  private running = false;
  private timer?: NodeJS.Timeout;
  private due = 0;
  private readonly gate: BacklogGate;
  private readonly docs: DocumentParts;
  /** the forwarders the client holds (sent with a resync, and with an event when they changed) */
  private sentForwarders = '[]';
  private mountRetries = 0;
  /** the unresolved veth ends that last made unnamed namespaces be re-read (./chaseUnresolved) */
  private lastUnresolved = '';
  /** names that failed to read in a row (re-read a few times after a rescan) */
  private readonly unread = new Map<string, number>();
  private readonly listIdCache = new Map<number, Map<number, number>>();
  private generation = 0;
  private roundStart = 0;
  /** TRACE: where the round's time went */
  private marks = '';
  /** TRACE: when the hub first said each namespace changed since its last event (wall clock) */
  private readonly heardAt = new Map<string, number>();
  private roundWall = 0;
  private heardRound = new Map<string, number>();
  private readonly log: (line: string) => void;
  /** counters for tests and the benchmark */
  readonly counts = { rounds: 0, reads: 0, events: 0, resyncs: 0, listings: 0, bigReads: 0 };

  constructor(
    private readonly opts: WatchOptions,
    private readonly sink: WatchSink,
  ) {
    this.log = opts.log ?? (() => {});
    this.gate = new BacklogGate(sink.backlog, () => this.schedule(0));
    this.docs = new DocumentParts({ onlyPrefix: opts.onlyPrefix, stripPrefix: opts.stripPrefix }, (n) => this.docName(n));
    this.ready = this.start();
    this.ready.catch(() => {});
  }

  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.gate.close();
    if (this.hub) {
      this.hub.remove(this);
      releaseHub(this.hub);
    }
  }

  /** the hub's monitor process id (tests kill it) */
  get monitorPid(): number | undefined {
    return this.hub?.monitorPid;
  }

  // ------------------------------------------------------------ hub events

  touched(name: string): void {
    if (TRACE && !this.heardAt.has(name)) this.heardAt.set(name, Date.now());
    if (this.state.has(name)) this.dirty.add(name);
    else if (this.inScope(name))
      this.askList('new-name'); // a namespace we have not listed yet
    else return;
    this.schedule();
  }

  natTouched(name: string): void {
    if (this.opts.nat === false || !this.state.has(name)) return;
    this.natDirty.add(name);
    this.schedule();
  }

  /**
   * A change in a namespace the hub has no name for (an unnamed one). The host's
   * nsids (resolved peers) may say which: then only it is re-read. Else every
   * unnamed one is, but as a guess: after the namespaces that certainly changed
   * (a busy container must not hold up the rest). No listing of /proc: a new
   * namespace is the process scan's to find (./proc-scan.ts, every SCAN_MS), and
   * a /proc listing costs hundreds of ms on a busy machine.
   */
  unknownTouched(nsid?: number): void {
    if (!this.opts.unnamed) return;
    if (TRACE) this.log(`watch-trace unknown nsid ${nsid ?? '?'}`);
    const known = nsid === undefined ? undefined : this.state.get(HOST_NS)?.ns.nsids[String(nsid)];
    if (known && this.state.has(known) && !this.state.get(known)!.ns.named) this.dirty.add(known);
    else for (const t of this.targets) if (!t.named) this.guessed.add(t.name);
    this.schedule();
  }

  dirChanged(): void {
    this.askList('dir');
    this.mountRetries = 0;
    this.schedule();
  }

  get watchesUnnamed(): boolean {
    return !!this.opts.unnamed;
  }

  unnamedChanged(): void {
    this.askList('scan');
    this.schedule();
  }

  lost(reason: string): void {
    this.log(`watch: resync (${reason})`);
    this.needResync = true;
    this.schedule(0);
  }

  // ------------------------------------------------------------ rounds

  private async start(): Promise<void> {
    const hub = await acquireHub(this.opts.wrap, this.log);
    if (this.closed) {
      releaseHub(hub);
      return;
    }
    this.hub = hub;
    hub.add(this);
    this.running = true;
    try {
      await this.resync();
    } finally {
      this.running = false;
    }
    this.readBig();
    if (this.hasWork()) this.schedule();
  }

  private inScope(name: string): boolean {
    if (name === HOST_NS) return true;
    return this.opts.onlyPrefix === undefined || name.startsWith(this.opts.onlyPrefix);
  }

  private hasWork(): boolean {
    return this.needResync || this.rescan || this.dirty.size > 0 || this.guessed.size > 0 || this.natDirty.size > 0 || this.bigRead !== undefined;
  }

  private askList(reason: ListReason) {
    this.rescan = true;
    this.listReasons.add(reason);
  }

  /** findTargets, counted (tests count the listings an event causes; TRACE logs why) */
  private list() {
    this.counts.listings++;
    if (TRACE) this.log(`watch-trace listed reasons=${[...this.listReasons].join(',')}`);
    this.listReasons.clear();
    return findTargets({ unnamed: this.opts.unnamed, onlyPrefix: this.opts.onlyPrefix });
  }

  private schedule(delay = COALESCE_MS): void {
    if (this.closed || this.running || this.gate.waiting) return;
    const due = performance.now() + delay;
    if (this.timer) {
      if (due >= this.due) return;
      clearTimeout(this.timer); // a kernel event does not wait behind a NAT pass
    }
    this.due = due;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, delay);
  }

  private async round(): Promise<void> {
    if (this.closed || this.running) return;
    this.running = true;
    this.roundStart = performance.now();
    if (TRACE) this.roundWall = Date.now();
    this.counts.rounds++;
    let delay = COALESCE_MS;
    try {
      if (this.needResync) await this.resync();
      else await this.update();
    } catch (e) {
      this.log(`watch: read failed, resyncing: ${(e as Error)?.stack ?? e}`);
      this.needResync = true;
      delay = RETRY_MS;
    } finally {
      this.running = false;
    }
    this.readBig();
    const guessOnly = !this.needResync && !this.rescan && !this.dirty.size && !this.bigRead && this.guessed.size > 0;
    const natOnly = !this.needResync && !this.rescan && !this.dirty.size && !this.bigRead && !this.guessed.size;
    if (guessOnly && delay === COALESCE_MS) delay = Math.max(COALESCE_MS, this.lastGuessRound + GUESS_MS - performance.now());
    if (this.hasWork()) this.schedule(natOnly && delay === COALESCE_MS ? NAT_DELAY_MS : delay);
  }

  /** Read everything in scope and send it whole. */
  private async resync(): Promise<void> {
    this.needResync = false;
    this.rescan = false;
    this.dirty.clear();
    this.guessed.clear();
    this.natDirty.clear();
    this.listIdCache.clear();
    this.bigDirty.clear();
    this.bigRead = undefined;
    this.epoch++;
    this.listReasons.add('resync');
    const { targets, warnings } = await this.list();
    await this.hub!.ensureIds(namedNames(targets));
    const namespaces = await readTargets(targets, { nat: this.opts.nat });
    this.counts.reads += targets.length;
    if (this.closed) return;
    const round = ++this.generation;
    const read = new Set(namespaces.map((ns) => ns.name)); // a namespace may vanish while being read
    this.keep(
      targets.filter((t) => read.has(t.name)),
      namespaces.map((ns) => ({ ns, fp: digest(ns), since: round, resolvedAt: round })),
      warnings,
    );
    await this.sendResync();
  }

  /** Re-read what changed; send what differs. */
  private async update(): Promise<void> {
    // guesses are read in a round of their own, after the namespaces known to have changed, and at most
    // every GUESS_MS: an unnamed namespace that changes all the time (a busy container) must not hold up the rest
    if (!this.rescan && !this.dirty.size && !this.bigRead && this.guessed.size) {
      if (performance.now() - this.lastGuessRound < GUESS_MS) return this.natDirty.size ? this.natPass() : undefined;
      this.lastGuessRound = performance.now();
      [this.dirty, this.guessed] = [this.guessed, this.dirty];
    }
    if (!this.rescan && !this.dirty.size && !this.bigRead) return this.natPass();
    const dirty = this.dirty;
    this.dirty = new Set();
    for (const n of dirty) this.guessed.delete(n);
    if (TRACE) {
      this.heardRound = new Map([...dirty].map((n) => [n, this.heardAt.get(n) ?? 0]));
      for (const n of dirty) this.heardAt.delete(n);
    }
    let targets = this.targets;
    let warnings = this.warnings;
    const replaced = new Set<string>();
    const fresh = new Set<string>();
    const listedNow = this.rescan;
    if (this.rescan) {
      this.rescan = false;
      const listed = await this.list();
      const old = new Map(this.targets.map((t) => [t.name, t]));
      for (const t of listed.targets) {
        const o = old.get(t.name);
        if (!o) fresh.add(t.name);
        else if (o.inode !== t.inode) {
          fresh.add(t.name);
          replaced.add(t.name);
        } else if (listingFacts(t) !== listingFacts(o)) dirty.add(t.name); // holders, mounts or label changed: re-read to send them
      }
      targets = listed.targets;
      warnings = listed.warnings;
      this.retryUnmounted(targets);
      const added = namedNames(targets.filter((t) => fresh.has(t.name)));
      if (added.length) await this.hub!.ensureIds(added);
      if (fresh.size || targets.length !== this.targets.length) this.listIdCache.clear();
    }
    const byName = new Map(targets.map((t) => [t.name, t]));
    let toRead = [...new Set([...fresh, ...dirty])].filter((n) => byName.has(n)).map((n) => byName.get(n)!);
    // a namespace with many links (the host of 500 veths: ~60 ms to read, its part the size of the host) is
    // read outside the rounds (readBig): a small namespace's change that comes meanwhile is read and sent at
    // once, not after it. (A link going down in a small namespace also changes its peer's carrier in the host.)
    const big = toRead.filter((t) => !fresh.has(t.name) && (this.state.get(t.name)?.ns.links.length ?? 0) > BIG_LINKS);
    for (const t of big) this.bigDirty.add(t.name);
    toRead = toRead.filter((t) => !big.includes(t));
    const bigDone = this.takeBigRead(byName, replaced, new Set(toRead.map((t) => t.name)));
    if (!toRead.length && !bigDone.parsed.length && !listedNow) return this.natDirty.size ? this.natPass() : undefined;
    // the NAT table (iptables-save, a second process) is left for a later round: a
    // kernel event says links, addresses or routes changed, and the event should not wait for it
    const known = toRead.filter((t) => this.state.has(t.name) && !replaced.has(t.name));
    const added = toRead.filter((t) => !known.includes(t));
    const tRead = performance.now();
    const [a, k] = await Promise.all([readFresh(added, { nat: this.opts.nat, natNow: true }), readFresh(known, { nat: this.opts.nat })]);
    this.marks = `list=${(tRead - this.roundStart).toFixed(1)} read=${(performance.now() - tRead).toFixed(1)}(${toRead
      .map((t) => t.name)
      .join(',')
      .slice(0, 80)})`;
    const read = [...a.parsed, ...k.parsed, ...bigDone.parsed];
    for (const p of [...k.parsed, ...bigDone.parsed]) {
      if (!k.natPending.has(p.ns.name) && !bigDone.natPending.has(p.ns.name)) continue;
      const before = this.state.get(p.ns.name)!;
      if (before.ns.natLines) p.ns.natLines = before.ns.natLines;
      this.natDirty.add(p.ns.name);
    }
    this.counts.reads += toRead.length;
    if (this.closed) return;
    const readByName = new Map(read.map((p) => [p.ns.name, p]));
    const wanted = [...toRead, ...bigDone.targets];
    if (read.length < wanted.length) {
      // one vanished mid-read (or its holder did): its removal, or its new path, shows on the next listing, and it is read again then
      this.askList('vanished');
      for (const t of wanted) {
        if (readByName.has(t.name)) continue;
        const n = (this.unread.get(t.name) ?? 0) + 1;
        this.unread.set(t.name, n);
        if (n <= 3) this.dirty.add(t.name); // bounded: one that cannot be read at all waits for its next event
      }
    }
    for (const p of read) this.unread.delete(p.ns.name);
    for (const p of read) this.listIdCache.delete(p.ns.inode);

    const all = new Map<string, ObservedNamespace>();
    for (const t of targets) {
      const f = readByName.get(t.name);
      const k = this.state.get(t.name);
      if (f) all.set(t.name, f.ns);
      else if (k && !replaced.has(t.name)) all.set(t.name, k.ns);
    }
    const round = ++this.generation;
    const fixed = await resolveChanged(read, {
      all,
      previous: (n) => (replaced.has(n) ? undefined : this.state.get(n)?.ns),
      // a target (re)created after the owner's last read may have taken a freed nsid: match it again
      trusted: (owner, target) => {
        const o = this.state.get(owner);
        const t = this.state.get(target);
        return !!o && !!t && !replaced.has(target) && t.since <= o.resolvedAt;
      },
      listIds: (ns) => this.listIds(ns, targets, all),
    });
    if (TRACE) this.marks += ` resolved=${(performance.now() - this.roundStart).toFixed(1)}`;
    this.chaseUnresolved(
      read.map((p) => p.ns),
      targets,
      readByName,
    );

    const next: Kept[] = [];
    const compare: string[] = [];
    for (const [name, ns] of all) {
      const k = this.state.get(name);
      const kept = k && !replaced.has(name) ? k : undefined;
      if (readByName.has(name)) next.push({ ns, fp: digest(ns), since: kept?.since ?? round, resolvedAt: round });
      else {
        const f = fixed.get(name);
        next.push(f ? { ...kept!, ns: f, fp: digest(f) } : kept!);
      }
      if (kept && (readByName.has(name) || fixed.has(name))) compare.push(name);
    }
    const nextByName = new Map(next.map((k) => [k.ns.name, k]));
    const events: { type: 'namespace-removed' | 'namespace-added' | 'namespace-changed'; name: string }[] = [];
    for (const name of this.state.keys()) if (!nextByName.has(name) || replaced.has(name)) events.push({ type: 'namespace-removed', name });
    for (const k of next) if (!this.state.has(k.ns.name) || replaced.has(k.ns.name)) events.push({ type: 'namespace-added', name: k.ns.name });
    for (const name of compare) if (this.state.get(name)!.fp !== nextByName.get(name)!.fp) events.push({ type: 'namespace-changed', name });
    this.keep(
      targets.filter((t) => nextByName.has(t.name)),
      next,
      warnings,
    );
    if (!events.length || this.fellBehind()) return;
    if (events.length > MAX_EVENTS) return this.sendResync();
    await this.sendParts(events);
  }

  /**
   * Read the big namespaces that changed, outside the rounds and on a netlink reader
   * of their own: rounds go on meanwhile (a small namespace's event does not wait
   * for the host's 500 links), and the next round after it merges what was read
   * (takeBigRead). One big read at a time; changes during it make the next.
   */
  private readBig() {
    if (this.bigReading || this.bigRead || !this.bigDirty.size || this.closed || this.needResync) return;
    const targets = this.targets.filter((t) => this.bigDirty.has(t.name));
    this.bigDirty.clear();
    if (!targets.length) return;
    const epoch = this.epoch;
    this.bigReading = true;
    this.counts.bigReads++;
    void readFresh(targets, { nat: this.opts.nat, reader: BIG_READER })
      .then(
        async (fresh) => {
          await heldForTest();
          this.bigRead = { epoch, targets, fresh };
        },
        (e: unknown) => {
          this.log(`watch: read failed, resyncing: ${(e as Error)?.stack ?? e}`);
          this.needResync = true;
        },
      )
      .finally(() => {
        this.bigReading = false;
        this.schedule(0);
      });
  }

  /**
   * The finished big read, for this round: what still is the namespace this round
   * holds under that name and is not read again in it. A read from before a resync
   * is dropped; one whose namespace was replaced meanwhile is read again.
   */
  private takeBigRead(
    byName: Map<string, Target>,
    replaced: Set<string>,
    readNow: Set<string>,
  ): { parsed: FreshRead['parsed']; natPending: Set<string>; targets: Target[] } {
    const done = this.bigRead;
    this.bigRead = undefined;
    const out = { parsed: [] as FreshRead['parsed'], natPending: new Set<string>(), targets: [] as Target[] };
    if (!done || done.epoch !== this.epoch) return out;
    const usable = (name: string, inode: number) => byName.get(name)?.inode === inode && !replaced.has(name) && this.state.has(name) && !readNow.has(name);
    for (const t of done.targets) if (usable(t.name, t.inode)) out.targets.push(t);
    for (const p of done.fresh.parsed) {
      if (!usable(p.ns.name, p.ns.inode)) continue;
      out.parsed.push(p);
      if (done.fresh.natPending.has(p.ns.name)) out.natPending.add(p.ns.name);
    }
    this.counts.reads += out.targets.length;
    return out;
  }

  /** Read the NAT tables left out of earlier rounds; send the namespaces whose rules changed. */
  private async natPass(): Promise<void> {
    const names = [...this.natDirty].filter((n) => this.state.has(n));
    this.natDirty.clear();
    const targets = this.targets.filter((t) => names.includes(t.name));
    const blocks = await readNat(targets.map((t) => t.path));
    if (this.closed) return;
    const changed: string[] = [];
    for (const t of targets) {
      const k = this.state.get(t.name);
      const block = blocks.get(t.path);
      if (!k || block === undefined || k.ns.inode !== t.inode) continue;
      const lines = natLines(block);
      if (JSON.stringify(lines) === JSON.stringify(k.ns.natLines)) continue;
      const ns = { ...k.ns, natLines: lines };
      this.state.set(t.name, { ...k, ns, fp: digest(ns) });
      changed.push(t.name);
    }
    if (!changed.length || this.fellBehind()) return;
    await this.sendParts(changed.map((name) => ({ type: 'namespace-changed', name })));
  }

  /**
   * A veth end just read whose peer is in no namespace we hold: with unnamed
   * namespaces watched, the other end may have just appeared in one of them
   * without an event the monitor could hear (the kernel gives that namespace its
   * nsid while announcing the first end). Re-read the unnamed ones once for it;
   * the same unresolved ends again do not cause another pass.
   */
  private chaseUnresolved(read: ObservedNamespace[], targets: Target[], readNow: Map<string, unknown>) {
    if (!this.opts.unnamed) return;
    const ends = read.flatMap((ns) =>
      ns.links.filter((l) => l.peer?.nsid !== undefined && l.peer.namespace === undefined).map((l) => `${ns.inode}/${l.ifindex}`),
    );
    const sig = ends.sort().join(' ');
    if (!sig || sig === this.lastUnresolved) {
      this.lastUnresolved = sig;
      return;
    }
    this.lastUnresolved = sig;
    for (const t of targets) if (!t.named && !readNow.has(t.name)) this.dirty.add(t.name);
  }

  /** nsid → inode inside `ns`, cached until a namespace comes, goes or is re-read */
  private async listIds(ns: ObservedNamespace, targets: Target[], all: Map<string, ObservedNamespace>): Promise<Map<number, number>> {
    const hit = this.listIdCache.get(ns.inode);
    if (hit) return hit;
    const path = targets.find((t) => t.inode === ns.inode)?.path;
    const ids = path ? await listIdsIn(path, (n) => all.get(n)?.inode) : new Map<number, number>();
    this.listIdCache.set(ns.inode, ids);
    return ids;
  }

  private keep(targets: Target[], kept: Kept[], warnings: string[]) {
    this.targets = targets;
    this.state = new Map(kept.map((k) => [k.ns.name, k]));
    this.warnings = warnings;
  }

  // ------------------------------------------------------------ sending

  private observedHost(): ObservedHost {
    return { readAt: Date.now(), durationMs: 0, namespaces: [...this.state.values()].map((k) => k.ns), warnings: this.warnings };
  }

  /**
   * One event per namespace, each with that namespace's observed facts and its
   * part of the document; the whole host is neither built nor sent (but for the
   * self-check, ./document.ts).
   */
  private async sendParts(events: { type: 'namespace-removed' | 'namespace-added' | 'namespace-changed'; name: string }[]) {
    const changed = events.filter((e) => e.type !== 'namespace-removed').map((e) => e.name);
    const removed = events.filter((e) => e.type === 'namespace-removed').map((e) => e.name);
    const parts = this.docs.parts(
      (n) => this.state.get(n)?.ns,
      changed,
      removed,
      () => this.observedHost(),
    );
    if (TRACE) this.marks += ` parts=${(performance.now() - this.roundStart).toFixed(1)}`;
    this.mismatchSeen();
    const forwarders = await this.forwardersIfChanged();
    if (TRACE) this.marks += ` fwd=${(performance.now() - this.roundStart).toFixed(1)}`;
    if (this.closed) return;
    events.forEach((e, i) => {
      const namespace = this.docName(e.name);
      const fw = i === events.length - 1 && forwarders ? { forwarders } : {};
      if (e.type === 'namespace-removed') this.send({ type: e.type, namespace, ...fw });
      else this.send({ type: e.type, namespace, observed: this.viewOne(this.state.get(e.name)!.ns), part: parts.get(e.name)!, ...fw });
    });
  }

  private reportedMismatches = 0;
  private mismatchSeen() {
    if (this.docs.mismatches === this.reportedMismatches) return;
    this.reportedMismatches = this.docs.mismatches;
    this.log('watch: the document a client holds differed from a whole one; resyncing');
    this.needResync = true;
  }

  /** The running forwarders as the document names them, when they differ from what the client holds. */
  private async forwardersIfChanged(): Promise<Forwarder[] | undefined> {
    const names = new Set<string>();
    for (const [name, k] of this.state) if (k.ns.named && name !== HOST_NS) names.add(this.docName(name));
    const p = this.opts.onlyPrefix;
    const rename = (n: string) => (p === undefined ? n : !n.startsWith(p) ? undefined : this.docName(n));
    const list = documentForwarders(await helperForwarders().list(), names, rename);
    const json = JSON.stringify(list);
    if (json === this.sentForwarders) return undefined;
    this.sentForwarders = json;
    return list;
  }

  /** The whole document as discover builds it (with the running forwarders, which are host state too). */
  private async document(observed: ObservedHost): Promise<Topology> {
    const document = this.docs.full(observed);
    document.forwarders = await discoveredForwarders(document, helperForwarders(), { onlyPrefix: this.opts.onlyPrefix, stripPrefix: this.opts.stripPrefix });
    this.sentForwarders = JSON.stringify(document.forwarders);
    return document;
  }

  private async sendResync() {
    if (this.fellBehind()) return;
    const observed = this.observedHost();
    const document = await this.document(observed);
    if (this.closed) return;
    this.counts.resyncs++;
    this.send({ type: 'resync', observed: this.view(observed), document });
  }

  /** One namespace's observed facts as this subscription names namespaces (see view). */
  private viewOne(ns: ObservedNamespace): ObservedNamespace {
    return this.opts.stripPrefix && this.opts.onlyPrefix
      ? stripHost({ readAt: 0, durationMs: 0, namespaces: [ns], warnings: [] }, this.opts.onlyPrefix).namespaces[0]
      : ns;
  }

  /**
   * Observed facts as this subscription names namespaces: with stripPrefix, the
   * document's names (unlike discover, whose observed keeps kernel names), so an
   * event's `namespace` is its `observed.name` and a client can key on either.
   */
  private view(observed: ObservedHost): ObservedHost {
    return this.opts.stripPrefix && this.opts.onlyPrefix ? stripHost(observed, this.opts.onlyPrefix) : observed;
  }

  private send(data: WatchData) {
    this.counts.events++;
    this.sink.emit(data, ++this.seq);
    // bench:live-path's stage timings: when each event left the helper (wall clock, comparable across processes)
    if (TRACE && data.type !== 'resync') {
      const heard = this.heardRound.get(data.namespace) ?? this.heardRound.get(`${this.opts.onlyPrefix ?? ''}${data.namespace}`);
      this.log(
        `watch-trace ${data.type} ${data.namespace} at=${Date.now()} heard=${heard ?? ''} roundAt=${this.roundWall} round=${(performance.now() - this.roundStart).toFixed(1)} ${this.marks}`,
      );
    }
  }

  /** The name the document uses (prefix stripped when asked, like discover's stripHost). */
  private docName(name: string): string {
    const p = this.opts.onlyPrefix;
    if (this.opts.stripPrefix && p && name.startsWith(p) && name.length > p.length) return name.slice(p.length);
    return name;
  }

  /** The client is behind: note that it needs a resync once it catches up. */
  private fellBehind(): boolean {
    if (!this.gate.behind) return false;
    if (!this.needResync) this.log('watch: the client is behind; events paused until it catches up, then a resync');
    this.needResync = true;
    return true;
  }

  /**
   * `ip netns add` creates the file before it mounts the namespace on it, and the
   * mount makes no inotify event: names in /run/netns that are not a namespace
   * yet are looked at again shortly (backing off, for a while).
   */
  private retryUnmounted(targets: Target[]) {
    let names: string[];
    try {
      names = readdirSync(NETNS_DIR);
    } catch {
      return;
    }
    const known = new Set(targets.map((t) => t.name));
    // (a name that is a namespace but not a target is the helper's own: `host`)
    const pending = names.filter((n) => this.inScope(n) && !known.has(n) && isSafeNetnsName(n) && !namedTarget(n));
    if (!pending.length || this.mountRetries >= 12) return;
    const delay = Math.min(2 ** this.mountRetries * 2, 500);
    this.mountRetries++;
    setTimeout(() => {
      if (this.closed) return;
      this.askList('mount');
      this.schedule();
    }, delay);
  }
}

/** What a listing says of a namespace beyond its inode (the read copies it into the observed namespace). */
function listingFacts(t: Target): string {
  return JSON.stringify([t.path, t.holders, t.mounts, t.identity]);
}

function namedNames(targets: Target[]): string[] {
  return targets.filter((t) => t.named && t.name !== HOST_NS).map((t) => t.name);
}
