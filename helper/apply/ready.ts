/**
 * After the last step: wait, bounded, until what the apply brought up is usable
 * (shared/plan/readiness.ts says what that is). The kernel finishes a
 * configuration asynchronously: carrier (and the qdisc that lets packets out) is
 * set by the linkwatch work a moment after `up`, up to a second later for a
 * bridge; an IPv6 address stays tentative for 1-2 s of duplicate address
 * detection unless added with `nodad`. A ping sent before that is lost.
 *
 * How: cheap polling of ONE batched netlink read (the discover reader,
 * ../discover/netlink.ts: one perl process enters every namespace) over the
 * namespaces that still have something pending, every POLL_MS. A monitor per
 * namespace would cost a process each (300 for a 300-namespace star); a round of
 * the batched read costs a few ms per namespace and re-reads only what is pending.
 * Forwarders are asked over their control sockets (listening = the kernel accepts
 * connections on their socket).
 *
 * Whatever is not usable by the deadline is reported by name, with what it lacks;
 * a failed DAD (another host holds the address) is reported at once.
 */
import type { ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS } from '../../shared/model/schema';
import { canonicalCidr } from '../../shared/plan/state';
import { isEmptyExpectation, type NotReady, type Readiness, type ReadinessExpectation } from '../../shared/plan/readiness';

export type { NotReady, Readiness };
import { parseNamespace } from '../discover/parse';
import { perlAvailable, readNetlink, type NetlinkRead } from '../discover/netlink';
import { readIp } from '../discover/read';
import type { RecentReads } from '../discover/index';
import { namedTarget, type Target } from '../discover/targets';
import type { ForwarderRuntime } from './executor';
import { hostPathOf, hostTarget } from './observe';
import { envSetting } from '../env-overrides';

export const DEFAULT_READY_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
const timing = envSetting('NETNS_STUDIO_DEBUG_TIMING') === '1';

export interface ReadyOptions {
  wrap?: string[];
  forwarders?: ForwarderRuntime;
  /** default DEFAULT_READY_TIMEOUT_MS */
  timeoutMs?: number;
  /**
   * Filled with the last read of each namespace file the wait read: apply's
   * confirming plan takes them as read (../discover/index.ts RecentReads) instead
   * of reading the whole document's host again.
   */
  reads?: RecentReads;
}

interface Pending {
  object: string;
  ns: string;
  /** undefined: usable; a string: what it lacks; `{ final }`: it will never be usable */
  check(ns: ObservedNamespace | undefined): string | { final: string } | undefined;
}

function linkOf(ns: ObservedNamespace | undefined, name: string): ObservedLink | undefined {
  return ns?.links.find((l) => l.name === name);
}

/** What a link (or a bridge port, which is a link) still lacks, once it is found on the host. */
function linkPending(object: string, ns: string, name: string, lacks: (h: ObservedLink) => string | undefined): Pending {
  return {
    object,
    ns,
    check: (seen) => {
      const h = linkOf(seen, name);
      return h ? lacks(h) : 'not found on the host';
    },
  };
}

function pendingOf(e: ReadinessExpectation): Pending[] {
  const out: Pending[] = [];
  for (const l of e.links) {
    out.push(
      linkPending(l.key, l.ns, l.name, (h) => {
        if (!h.up) return 'administratively down';
        // a VRF reports operstate UP; veths and bridges UP once linkwatch has run (carrier and qdisc set)
        return h.oper === 'UP' ? undefined : `no carrier (operstate ${h.oper}${h.carrier ? ', lower layer up' : ''})`;
      }),
    );
  }
  for (const p of e.ports) {
    out.push(
      linkPending(p.key, p.ns, p.name, (h) => {
        if (h.master !== p.bridge) return `not a port of ${p.bridge}`;
        return h.portState === 'forwarding' ? undefined : `bridge port not forwarding (state ${h.portState ?? 'unknown'})`;
      }),
    );
  }
  for (const a of e.addresses) {
    out.push({
      object: a.key,
      ns: a.ns,
      check: (ns) => {
        const h = linkOf(ns, a.dev)?.addresses.find((x) => canonicalCidr(x.cidr) === a.cidr);
        if (!h) return 'not found on the host';
        if (h.dadFailed) return { final: 'duplicate address detection failed: another host on the link holds this address' };
        return h.tentative ? 'IPv6 address still tentative (duplicate address detection running)' : undefined;
      },
    });
  }
  return out;
}

/** One batched read of these namespaces: the perl netlink reader, `ip -batch` for what it could not read. Each read is kept in `reads`. */
async function readNamespaces(targets: Target[], reads: RecentReads): Promise<Map<string, ObservedNamespace>> {
  const paths = targets.map((t) => t.path);
  const raw = new Map<string, NetlinkRead>();
  if (perlAvailable() && envSetting('NETNS_STUDIO_DISCOVER_READER') !== 'ip') for (const [p, r] of await readNetlink(paths)) raw.set(p, r);
  const rest = paths.filter((p) => !raw.has(p));
  // the ip reader cannot tell whether a nat table exists: "maybe"
  if (rest.length) for (const [p, r] of await readIp(rest)) raw.set(p, { raw: r, hasNat: true });
  const out = new Map<string, ObservedNamespace>();
  for (const t of targets) {
    const r = raw.get(t.path);
    if (!r) continue;
    reads.set(t.path, { inode: t.inode, read: r });
    out.set(t.name, parseNamespace(t, r.raw).ns);
  }
  return out;
}

/** Forwarder name → what keeps it from accepting connections (absent: it accepts them). */
async function forwarderProblems(rt: ForwarderRuntime | undefined, names: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (!names.length) return out;
  const list = rt?.list ? await rt.list() : undefined;
  for (const name of names) {
    const f = list?.find((x) => x.name === name);
    if (!list) out.set(name, 'no forwarder runtime to ask');
    else if (!f || !f.alive) out.set(name, 'not running');
    else if (f.stats?.state !== 'listening')
      out.set(name, `not accepting connections (${f.stats?.state ?? 'its control socket does not answer'}${f.stats?.reason ? `: ${f.stats.reason}` : ''})`);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitReady(e: ReadinessExpectation, opts: ReadyOptions = {}): Promise<Readiness> {
  const t0 = performance.now();
  const deadline = t0 + (opts.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  const checked = e.links.length + e.ports.length + e.addresses.length + e.forwarders.length;
  if (isEmptyExpectation(e)) return { ready: true, waitedMs: 0, rounds: 0, checked, notReady: [], heldDown: e.heldDown };
  const reads = opts.reads ?? new Map();
  let pending = pendingOf(e);
  let fwPending = e.forwarders.map((f) => ({ object: f.key, name: f.name }));
  const failed: NotReady[] = [];
  const targetOf = new Map<string, Target | undefined>();
  const target = (ns: string) => {
    if (!targetOf.has(ns)) targetOf.set(ns, ns === HOST_NS ? hostTarget(hostPathOf(opts.wrap)) : namedTarget(ns));
    return targetOf.get(ns);
  };
  let last = new Map<string, string>();
  let rounds = 0;
  for (;;) {
    rounds++;
    const nss = [...new Set(pending.map((p) => p.ns))];
    const targets = nss.map(target).filter((t): t is Target => t !== undefined);
    const [seen, fw] = await Promise.all([
      targets.length ? readNamespaces(targets, reads) : Promise.resolve(new Map<string, ObservedNamespace>()),
      forwarderProblems(
        opts.forwarders,
        fwPending.map((f) => f.name),
      ),
    ]);
    if (timing)
      console.error(
        `  ${(performance.now() - t0).toFixed(0).padStart(5)} ms readiness round ${rounds}: read ${targets.length} namespaces, ${pending.length} pending before`,
      );
    last = new Map();
    pending = pending.filter((p) => {
      const r = p.check(seen.get(p.ns));
      if (r === undefined) return false;
      if (typeof r === 'object') {
        failed.push({ object: p.object, reason: r.final });
        return false;
      }
      last.set(p.object, seen.has(p.ns) ? r : `namespace ${p.ns} could not be read`);
      return true;
    });
    fwPending = fwPending.filter((f) => {
      const problem = fw.get(f.name);
      if (problem) last.set(f.object, problem);
      return problem !== undefined;
    });
    const now = performance.now();
    if (timing && pending.length)
      console.error(
        `        still pending: ${pending.length}, e.g. ${[...last]
          .slice(0, 2)
          .map(([o, r]) => `${o}: ${r}`)
          .join('; ')}`,
      );
    if ((!pending.length && !fwPending.length) || now >= deadline) {
      const notReady = [...failed, ...[...last].map(([object, reason]) => ({ object, reason }))];
      return { ready: notReady.length === 0, waitedMs: Math.round(now - t0), rounds, checked, notReady, heldDown: e.heldDown };
    }
    await sleep(Math.min(POLL_MS, deadline - now));
  }
}
