/**
 * How a list of commands is cut into processes without changing its meaning.
 *
 * Each command *touches* a set of namespaces: its own, plus any it names
 * (`… netns NS`, `ip netns add NS`). Deleting a link or a namespace may remove veth
 * peers anywhere, and forwarders depend on addresses anywhere, so those touch
 * everything (barriers). Two commands that touch disjoint sets commute, so a
 * command only has to wait for the last earlier command touching one of its
 * namespaces.
 *
 * Execution goes in waves: in each wave every namespace gets one lane holding, in
 * plan order, its commands whose dependencies are finished or earlier in the same
 * lane. A lane is a few units: consecutive `ip` lines form one `ip -batch`
 * process, anything else runs alone. Lanes of one wave run side by side. A plan
 * that builds all namespaces from `host` and then configures each one becomes two
 * waves: one host batch, then one batch per namespace.
 */
import type { Command } from '../../shared/model/step';
import { routeIsV6 } from '../../shared/plan/state';
import { ruleFamily } from '../../shared/model/tables';

export interface Item extends Command {
  /** index of the step this command belongs to */
  step: number;
}

/** One process (or one in-process action): a batch of `ip` lines, or a single command. */
export interface Unit {
  namespace: string;
  kind: 'ip-batch' | 'single';
  items: Item[];
}

/** Units of one lane run one after another; lanes of a wave run side by side. */
export type Wave = Unit[][];

const EVERYTHING = '*';

/** The operations `ip` runs (the rest are other programs or the helper's own). */
const IP_OP = /^(netns|link|addr|route|rule)\./;

/** `ip` commands that can share a batch: no global option such as `-6` (batch lines take none). */
export function batchable(c: Command): boolean {
  const op = c.op;
  if (!IP_OP.test(op.op)) return false;
  if (op.op === 'netns.attach') return 'pid' in op.ref; // the other forms are not ip commands
  if ('route' in op) return !routeIsV6(op.route);
  if (op.op === 'rule.add' || op.op === 'rule.del' || op.op === 'rule.show') return ruleFamily(op.rule) !== 6;
  return true;
}

/**
 * What a command may affect: `N` (all of namespace N), `N/D` (device D in N), or
 * `*` (everything: a barrier). Two commands conflict when one touches `*`, both
 * touch the same `N/D`, or one touches `N` and the other anything in N. Device
 * changes (setting a link, addresses on D, creating D) touch only D, so a
 * plan may create every link from host first and configure each namespace after,
 * whatever order its steps come in. Routes, policy rules, sysctls, nat and files touch
 * their whole namespace (a route needs the addresses and links before it).
 */
export function touches(c: Command): string[] {
  const N = c.namespace;
  const op = c.op;
  switch (op.op) {
    case 'forwarder.start':
    case 'forwarder.stop':
    case 'link.del':
    case 'netns.del':
      return [EVERYTHING];
    case 'netns.add':
    case 'netns.attach':
      return [op.name];
    case 'netns.detach':
      return [EVERYTHING];
    case 'link.veth':
      return [...new Set([`${N}/${op.name}`, `${op.peer.ns}/${op.peer.name}`])];
    case 'link.bridge':
    case 'link.vrf':
    case 'link.state':
    case 'link.mtu':
      return [`${N}/${op.name}`];
    case 'link.master':
      return op.master ? [`${N}/${op.name}`, `${N}/${op.master}`] : [`${N}/${op.name}`];
    case 'addr.add':
    case 'addr.del':
      return [`${N}/${op.dev}`];
    default:
      return [N];
  }
}

/** For each item, the indices (into items) it must wait for. */
export function dependencies(items: Command[]): number[][] {
  const whole = new Map<string, number>();
  const devs = new Map<string, Map<string, number>>();
  let lastBarrier = -1;
  const all = new Set<number>();
  return items.map((it, i) => {
    const deps = new Set<number>();
    if (lastBarrier >= 0) deps.add(lastBarrier);
    const t = touches(it);
    if (t[0] === EVERYTHING) {
      for (const j of all) deps.add(j);
      all.clear();
      whole.clear();
      devs.clear();
      lastBarrier = i;
      deps.delete(i);
      return [...deps];
    }
    for (const key of t) {
      const slash = key.indexOf('/');
      const ns = slash < 0 ? key : key.slice(0, slash);
      const w = whole.get(ns);
      if (w !== undefined) deps.add(w);
      const d = devs.get(ns) ?? new Map<string, number>();
      if (slash < 0) {
        for (const j of d.values()) deps.add(j);
        devs.set(ns, new Map());
        whole.set(ns, i);
      } else {
        const j = d.get(key);
        if (j !== undefined) deps.add(j);
        d.set(key, i);
        devs.set(ns, d);
      }
    }
    all.add(i);
    deps.delete(i);
    return [...deps];
  });
}

/** Cut consecutive commands of one namespace into units: ip lines batched, the rest alone. */
export function unitsOf(items: Item[]): Unit[] {
  const units: Unit[] = [];
  for (const it of items) {
    const last = units[units.length - 1];
    if (batchable(it) && last && last.kind === 'ip-batch') last.items.push(it);
    else units.push({ namespace: it.namespace, kind: batchable(it) ? 'ip-batch' : 'single', items: [it] });
  }
  return units;
}

/**
 * Plan the waves up front (the executor stops between waves on failure). `parallel`
 * false gives one lane per wave in plan order: the plain sequential baseline.
 */
export function waves(items: Item[], parallel = true): Wave[] {
  if (!parallel) {
    const out: Wave[] = [];
    let run: Item[] = [];
    for (const it of items) {
      if (run.length && run[0].namespace !== it.namespace) {
        out.push([unitsOf(run)]);
        run = [];
      }
      run.push(it);
    }
    if (run.length) out.push([unitsOf(run)]);
    return out;
  }
  const deps = dependencies(items);
  const done = new Array<boolean>(items.length).fill(false);
  let remaining = items.length;
  const out: Wave[] = [];
  while (remaining > 0) {
    const lanes = new Map<string, Item[]>();
    const laneOf = new Map<number, string>();
    const blocked = new Set<string>();
    for (let i = 0; i < items.length; i++) {
      if (done[i]) continue;
      const ns = items[i].namespace;
      if (blocked.has(ns)) continue;
      const ready = deps[i].every((j) => done[j] || laneOf.get(j) === ns);
      if (!ready) {
        // keep the namespace's own order: nothing later of it may jump ahead
        blocked.add(ns);
        continue;
      }
      const lane = lanes.get(ns) ?? [];
      lane.push(items[i]);
      lanes.set(ns, lane);
      laneOf.set(i, ns);
    }
    for (const i of laneOf.keys()) done[i] = true;
    remaining -= laneOf.size;
    out.push([...lanes.values()].map(unitsOf));
  }
  return out;
}

/**
 * Dynamic dispatch for parallel runs: hands out, per namespace, the longest run of
 * its pending commands whose dependencies are finished, as soon as they are. The
 * host's long batch is cut into chunks so namespaces it has finished creating can
 * be configured while it goes on. A namespace other than host is handed out only
 * when all its remaining commands are ready (one process per namespace, not
 * several), unless nothing else is running. A run of `ip netns add` at the head
 * of the host's chunk goes to two host lanes side by side: each touches only the
 * namespace it makes, and the kernel sets up two new namespaces at once where one
 * batch makes them one after another (300 of them: 2.4 s against 1.4 s here).
 */
/** the busy key of the host's second lane, and the fewest `netns add` worth giving each of the two */
const SECOND_HOST_LANE = 'host\0second';
const MIN_SPLIT_NETNS_ADD = 16;

export class Dispatcher {
  private readonly deps: number[][];
  private readonly state: ('pending' | 'running' | 'done')[];
  private readonly byNs = new Map<string, number[]>();
  private readonly busy = new Set<string>();
  /** the busy key of each running lane, by its first item (the host may run two) */
  private readonly laneKey = new Map<Item, string>();

  constructor(
    private readonly items: Item[],
    private readonly maxChunk = 256,
  ) {
    this.deps = dependencies(items);
    this.state = items.map(() => 'pending');
    items.forEach((it, i) => {
      const l = this.byNs.get(it.namespace) ?? [];
      l.push(i);
      this.byNs.set(it.namespace, l);
    });
  }

  get finished(): boolean {
    return this.state.every((s) => s === 'done');
  }

  /** Up to `max` lanes (items of one namespace, in order) ready to run now. */
  take(max: number, idle: boolean): Item[][] {
    const lanes: Item[][] = [];
    for (const [ns, idx] of this.byNs) {
      if (lanes.length >= max) break;
      if (this.busy.has(ns)) continue;
      const pending = idx.filter((i) => this.state[i] === 'pending');
      if (!pending.length) continue;
      const lane: number[] = [];
      const inLane = new Set<number>();
      for (const i of pending) {
        if (lane.length >= this.maxChunk) break;
        if (!this.deps[i].every((j) => this.state[j] === 'done' || inLane.has(j))) break;
        lane.push(i);
        inLane.add(i);
      }
      if (!lane.length) continue;
      // part of a namespace only when nothing else would run (a host chunk handed out now counts)
      if (ns !== 'host' && lane.length < pending.length && !(idle && !lanes.length)) continue;
      let adds = 0;
      while (ns === 'host' && adds < lane.length && this.items[lane[adds]].op.op === 'netns.add') adds++;
      const parts =
        adds >= 2 * MIN_SPLIT_NETNS_ADD && !this.busy.has(SECOND_HOST_LANE) && lanes.length + 1 < max
          ? [
              { key: ns, items: lane.slice(0, adds >> 1) },
              { key: SECOND_HOST_LANE, items: lane.slice(adds >> 1, adds) },
            ]
          : [{ key: ns, items: lane }];
      for (const part of parts) {
        for (const i of part.items) this.state[i] = 'running';
        this.busy.add(part.key);
        const items = part.items.map((i) => this.items[i]);
        this.laneKey.set(items[0], part.key);
        lanes.push(items);
      }
    }
    return lanes;
  }

  /** A lane ended: `finished` items are done; the rest go back to pending (a failure stops the run anyway). */
  complete(lane: Item[], finished: Set<number>): void {
    for (const it of lane) {
      const i = this.items.indexOf(it);
      this.state[i] = finished.has(it.step) ? 'done' : 'pending';
    }
    if (!lane.length) return;
    this.busy.delete(this.laneKey.get(lane[0]) ?? lane[0].namespace);
    this.laneKey.delete(lane[0]);
  }
}
