/**
 * discover: the whole host (or the namespaces a prefix selects) as observed facts
 * and as a topology document. Few processes: one long-lived perl reader per
 * stream enters every namespace with setns(2) and dumps rtnetlink there
 * (./netlink.ts, ./nl-dump.pl); `iptables-save` runs only in namespaces that have
 * a nat table; the `ip -j -batch` reader (./read.ts) covers whatever the fast
 * reader could not (no perl, a failed dump). Everything else comes from /proc
 * and /etc/netns.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS } from '../../shared/model/constants';
import type { Namespace, NatRule, Topology } from '../../shared/model/schema';
import { parseResolvConf } from '../../shared/plan/commands';
import { runProgram } from '../proc';
import { parseNatLine, natLines } from './nat';
import { parseNamespace, type ParsedNamespace } from './parse';
import { hostTableNames } from './rt-tables';
import { resolvePeers } from './peers';
import { readNetlink, perlAvailable, type NetlinkRead } from './netlink';
import { readIp, readNat, readSave, type RawNamespace } from './read';
import { identify } from './identity';
import { listTargets, type Target, type TargetOptions } from './targets';
import { toDocument, type ToDocumentOptions } from './to-document';
import { discoveredForwarders, type ForwarderLister } from '../forwarders/in-document';
import { helperForwarders } from '../forwarders/runtime';
import { programPath } from '../programs';
import { envSetting } from '../env-overrides';
import { inNetnsOf } from './ns-owner';
import { readBridgeNf } from './bridge-nf';
import { readNft } from './nft';

export interface DiscoverOptions {
  unnamed?: boolean;
  onlyPrefix?: string;
  stripPrefix?: boolean;
  /** read NAT tables (default true) */
  nat?: boolean;
  /** read filter tables (default false; reachability wants them) */
  filter?: boolean;
  streams?: number;
  /** `ip` = only the `ip -batch` reader (tests compare the two readers) */
  reader?: 'auto' | 'ip';
  /** where running forwarders are found (default: the helper's forwarder runtime); false leaves them out. Never from a request. */
  forwarders?: ForwarderLister | false;
  /** namespaces this process read moments ago (apply's readiness wait): taken as read, not read again. Never from a request. */
  recent?: RecentReads;
}

/**
 * Reads of namespace files made moments ago, by path, each with the inode it was
 * made in: a reused read must be of the same namespace, not one re-created under
 * the same name since.
 */
export type RecentReads = Map<string, { inode: number; read: NetlinkRead }>;

export interface Discovery {
  document: Topology;
  observed: ObservedHost;
}

export async function discover(opts: DiscoverOptions = {}): Promise<Discovery> {
  const t0 = performance.now();
  const readAt = Date.now();
  const { targets, warnings } = await findTargets({ unnamed: opts.unnamed, onlyPrefix: opts.onlyPrefix });
  const namespaces = await readTargets(targets, opts);
  const observed: ObservedHost = { readAt, durationMs: 0, namespaces, warnings };
  // a rule the document cannot say is left out of it: say so, naming the namespace and the rule
  const document = documentOf(observed, opts, { onLeftOut: (ns, rule, why) => warnings.push(leftOutWarning(ns, rule.text, why)) });
  // forwarders are host state too (helper/forwarders): found again, a re-apply has nothing to do
  if (opts.forwarders !== false) document.forwarders = await discoveredForwarders(document, opts.forwarders ?? helperForwarders(), opts);
  observed.durationMs = Math.round((performance.now() - t0) * 10) / 10;
  return { document, observed };
}

/** The namespaces in scope (./targets.ts), with their identities when unnamed ones are asked for (./identity.ts). */
export async function findTargets(opts: TargetOptions): Promise<{ targets: Target[]; warnings: string[] }> {
  const listed = listTargets(opts);
  if (opts.unnamed) await identify(listed.targets);
  return listed;
}

/** The chain heads and rules of an `iptables-save` block. */
const saveLines = (block: string) => block.split('\n').filter((l) => l.startsWith('-A ') || l.startsWith(':'));

/**
 * The mangle tables reachability needs: only where a policy rule selects by
 * fwmark (the mark those rules test is set there), per family.
 */
async function readMangle(parsed: ParsedNamespace[], targets: Target[], opts: DiscoverOptions): Promise<void> {
  const pathOf = new Map(targets.map((t) => [t.name, t.path]));
  const want = (f: 4 | 6) => parsed.filter((p) => p.ns.rules.some((r) => r.family === f && r.fwmark !== undefined));
  const [v4, v6] = [want(4), want(6)];
  const paths = (l: ParsedNamespace[]) => l.map((p) => pathOf.get(p.ns.name)).filter((x): x is string => !!x);
  const [m4, m6] = await Promise.all([
    v4.length ? readSave(paths(v4), 'iptables-save', 'mangle', { streams: opts.streams }) : new Map<string, string>(),
    v6.length ? readSave(paths(v6), 'ip6tables-save', 'mangle', { streams: opts.streams }) : new Map<string, string>(),
  ]);
  for (const p of v4) {
    const b = m4.get(pathOf.get(p.ns.name)!);
    if (b !== undefined) p.ns.mangleLines = saveLines(b).filter((l) => l.startsWith('-A '));
  }
  for (const p of v6) {
    const b = m6.get(pathOf.get(p.ns.name)!);
    if (b !== undefined) p.ns.mangle6Lines = saveLines(b).filter((l) => l.startsWith('-A '));
  }
}

/** Read these namespaces (peers resolved among them only). */
export async function readTargets(targets: Target[], opts: DiscoverOptions = {}): Promise<ObservedNamespace[]> {
  const paths = targets.map((t) => t.path);
  // one perl process per stream reads rtnetlink in every namespace (./netlink.ts); `ip -batch`
  // per namespace reads whatever that could not, and iptables-save runs only where a nat table exists
  // NETNS_STUDIO_DISCOVER_READER=ip: the operator's switch back to the ip reader alone
  const ipOnly = opts.reader === 'ip' || envSetting('NETNS_STUDIO_DISCOVER_READER') === 'ip';
  const reused = new Map<string, NetlinkRead>();
  for (const t of targets) {
    const r = opts.recent?.get(t.path);
    if (r && r.inode === t.inode) reused.set(t.path, r.read);
  }
  const unread = paths.filter((p) => !reused.has(p));
  const fast = !ipOnly && perlAvailable() ? await readNetlink(unread, opts.streams) : new Map<string, NetlinkRead>();
  for (const [p, r] of reused) fast.set(p, r);
  const rest = paths.filter((p) => !fast.has(p));
  const natPaths = paths.filter((p) => fast.get(p)?.hasNat !== false);
  const none = Promise.resolve(new Map<string, string>());
  const [slow, natRead, filterRead, filter6Read] = await Promise.all([
    readIp(rest, { streams: opts.streams }),
    opts.nat === false ? none : readNat(natPaths, { streams: opts.streams }),
    opts.filter ? readSave(paths, 'iptables-save', 'filter', { streams: opts.streams }) : none,
    opts.filter ? readSave(paths, 'ip6tables-save', 'filter', { streams: opts.streams }) : none,
  ]);
  const ip = new Map<string, RawNamespace>([...slow, ...[...fast].map(([p, r]) => [p, r.raw] as const)]);
  const nat = new Map(natRead);
  if (opts.nat !== false) for (const [p, r] of fast) if (!r.hasNat) nat.set(p, ''); // no nat table: nothing to save
  // one listing instead of a failed open per namespace (most have no /etc/netns entry)
  let etcNetns = new Set<string>();
  try {
    etcNetns = new Set(readdirSync('/etc/netns'));
  } catch {
    /* none at all */
  }
  const parsed: ParsedNamespace[] = [];
  for (const t of targets) {
    const raw = ip.get(t.path);
    if (!raw) continue; // vanished while being read
    const p = parseNamespace(t, raw);
    const block = nat.get(t.path);
    if (block !== undefined) p.ns.natLines = natLines(block);
    const filterBlock = filterRead.get(t.path);
    if (filterBlock !== undefined) p.ns.filterLines = saveLines(filterBlock);
    const filter6Block = filter6Read.get(t.path);
    if (filter6Block !== undefined) p.ns.filter6Lines = saveLines(filter6Block);
    if (t.named && t.name !== HOST_NS && etcNetns.has(t.name)) {
      try {
        p.ns.resolvConf = readFileSync(`/etc/netns/${t.name}/resolv.conf`, 'utf8');
      } catch {
        /* none */
      }
    }
    parsed.push(p);
  }
  if (opts.filter)
    await Promise.all([
      readMangle(parsed, targets, opts),
      readBridgeNf(
        parsed.map((p) => p.ns),
        new Map(targets.map((t) => [t.name, t.path])),
      ),
      readNft(
        parsed.map((p) => p.ns),
        new Map(targets.map((t) => [t.name, t.path])),
      ),
    ]);
  const byName = new Map(targets.map((t) => [t.name, t]));
  await resolvePeers(parsed, async (ns) => {
    const t = byName.get(ns.name);
    const r = t ? await runProgram(await inNetnsOf(t.path, [programPath('ip'), '-j', 'netns', 'list-id']), { timeoutMs: 10_000 }) : undefined;
    const out = new Map<number, number>();
    if (r?.code !== 0) return out;
    for (const e of JSON.parse(r.stdout || '[]') as { nsid: number; name?: string }[]) {
      const target = e.name ? byName.get(e.name) : undefined;
      if (target) out.set(e.nsid, target.inode);
    }
    return out;
  });
  return parsed.map((p) => p.ns);
}

/** The warning for a policy rule discover leaves out of the document. */
export const leftOutWarning = (ns: string, text: string, why: string) =>
  `namespace ${ns}: policy rule "${text}" is left out of the document: a document cannot say ${why}`;

/** The document for an observed host; names stripped of the prefix when asked. */
export function documentOf(observed: ObservedHost, opts: DiscoverOptions = {}, more: Pick<ToDocumentOptions, 'onLeftOut' | 'hostRules'> = {}): Topology {
  const view = opts.stripPrefix && opts.onlyPrefix ? stripHost(observed, opts.onlyPrefix) : observed;
  const nat = new Map<string, NatRule[]>();
  const dns = new Map<string, Namespace['dns']>();
  for (const ns of view.namespaces) {
    if (ns.natLines)
      nat.set(
        ns.name,
        ns.natLines.map(parseNatLine).filter((r): r is NatRule => !!r),
      );
    if (ns.resolvConf) dns.set(ns.name, parseResolvConf(ns.resolvConf));
  }
  return toDocument(view, { nat, dns, tableNames: hostTableNames(), ...more });
}

/** The same host with `prefix` removed from namespace names (sandboxed scenarios read as written). */
export function stripHost(observed: ObservedHost, prefix: string): ObservedHost {
  const strip = (n: string | undefined) => (n !== undefined && n.startsWith(prefix) && n.length > prefix.length ? n.slice(prefix.length) : n);
  return {
    ...observed,
    namespaces: observed.namespaces.map((ns) => ({
      ...ns,
      name: ns.named ? strip(ns.name)! : ns.name,
      nsids: Object.fromEntries(Object.entries(ns.nsids).map(([k, v]) => [k, strip(v)!])),
      links: ns.links.map((l) => (l.peer ? { ...l, peer: { ...l.peer, namespace: strip(l.peer.namespace) } } : l)),
    })),
  };
}
