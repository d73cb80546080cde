/**
 * Reads what a plan depends on, with helper/discover: `host` and the named
 * namespaces a document (or a removal) talks about, as a topology document the
 * planner compares with the desired one, plus the few facts the document cannot
 * hold but an exact undo needs (does a loopback already carry 127.0.0.1?).
 *
 * Only those namespaces are read (not the whole host): a plan of ten namespaces
 * costs the same on a host with a thousand. NAT tables are read only where the
 * document has NAT rules (one iptables-save each), the ping_group_range sysctl
 * (not in `ip netconf`) only where the document sets it.
 */
import type { ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS, type Topology } from '../../shared/model/schema';
import { documentOf, readTargets, type RecentReads } from '../discover/index';
import { natLines } from '../discover/nat';
import { readNat } from '../discover/read';
import { namedTarget, ownInode, type Target } from '../discover/targets';
import { runProgram } from '../proc';
import { statSync } from 'node:fs';
import { programPath } from '../programs';
import { acceptedBridges, forwardDropWarnings, readForwardChain, type ForwardChain, type PlanWarning } from './host-firewall';

export interface HostView {
  /** the observed host as a document (what the planner compares with) */
  doc: Topology;
  /** namespaces (that exist) whose loopback holds no 127.0.0.1/8: `lo up` gives it one, `lo down` keeps it */
  bareLoopback: string[];
  /** what the plan should tell the person about the host (./host-firewall.ts) */
  warnings: PlanWarning[];
}

/** The namespace file that plays `host`: the helper's own, or the one a test's `wrap` enters. */
export function hostPathOf(wrap?: string[]): string {
  const net = wrap?.find((a) => a.startsWith('--net='));
  return net ? net.slice('--net='.length) : `/proc/${process.pid}/ns/net`;
}

/** The target that plays `host` at `path` (hostPathOf). */
export function hostTarget(path: string): Target {
  return { name: HOST_NS, path, inode: path.startsWith('/proc/') ? ownInode() : statSync(path).ino, named: true };
}

/** Namespace names a document talks about (host first). */
export function namespacesOf(doc: Topology, extra: Iterable<string> = []): string[] {
  return [
    ...new Set([
      HOST_NS,
      ...doc.namespaces.map((n) => n.name),
      ...doc.bridges.map((b) => b.namespace),
      ...doc.veths.flatMap((v) => v.ends.map((e) => e.namespace)),
      ...doc.forwarders.flatMap((f) => [f.listen.namespace, f.target.namespace]),
      ...extra,
    ]),
  ];
}

export async function observeFor(doc: Topology, opts: { wrap?: string[]; extra?: Iterable<string>; recent?: RecentReads } = {}): Promise<HostView> {
  const names = namespacesOf(doc, opts.extra);
  const targets: Target[] = [hostTarget(hostPathOf(opts.wrap))];
  for (const n of names) {
    if (n === HOST_NS) continue;
    const t = namedTarget(n);
    if (t && t.inode !== targets[0].inode) targets.push(t);
  }
  const namespaces = await readTargets(targets, { nat: false, recent: opts.recent });
  const byName = new Map(namespaces.map((n) => [n.name, n]));
  const natNs = doc.namespaces.filter((n) => n.nat.length && byName.has(n.name) && n.name !== HOST_NS);
  const pingNs = doc.namespaces.filter((n) => n.sysctls['net.ipv4.ping_group_range'] !== undefined && byName.has(n.name));
  await Promise.all([
    readNatOf(
      natNs.map((n) => byName.get(n.name)!),
      targets,
    ),
    readPingRange(
      pingNs.map((n) => byName.get(n.name)!),
      targets,
    ),
  ]);
  const observed = { readAt: Date.now(), durationMs: 0, namespaces, warnings: [] };
  const bareLoopback = namespaces
    .filter((n) => !n.links.some((l) => l.kind === 'loopback' && l.addresses.some((a) => a.cidr === '127.0.0.1/8')))
    .map((n) => n.name);
  // every host rule: one the document asks for must be seen to be there (discover shows only the topology's)
  const view: HostView = { doc: documentOf(observed, {}, { hostRules: 'all' }), bareLoopback, warnings: [] };
  const existing = new Map(targets.filter((t) => byName.has(t.name)).map((t) => [t.name, t.path]));
  const chains = await readAccepts(doc, view.doc, existing);
  view.warnings = await forwardDropWarnings(doc, existing, chains);
  return view;
}

/**
 * Our bridge accept rules that exist, as `acceptForward` on the observed bridges;
 * read only where the document asks for one. Returns the chains read.
 */
async function readAccepts(doc: Topology, observed: Topology, existing: Map<string, string>): Promise<Map<string, ForwardChain | undefined>> {
  const chains = new Map<string, ForwardChain | undefined>();
  const nss = [...new Set(doc.bridges.filter((b) => b.acceptForward && existing.has(b.namespace)).map((b) => b.namespace))];
  await Promise.all(nss.map(async (ns) => chains.set(ns, await readForwardChain(existing.get(ns)!))));
  for (const [ns, chain] of chains) {
    if (!chain) continue;
    const here = observed.bridges.filter((b) => b.namespace === ns);
    const ours = acceptedBridges(
      chain,
      here.map((b) => b.name),
    );
    for (const b of here) if (ours.has(b.name)) b.acceptForward = true;
  }
  return chains;
}

async function readNatOf(list: ObservedNamespace[], targets: Target[]): Promise<void> {
  if (!list.length) return;
  const pathOf = new Map(targets.map((t) => [t.name, t.path]));
  const blocks = await readNat(list.map((n) => pathOf.get(n.name)!));
  for (const n of list) {
    const b = blocks.get(pathOf.get(n.name)!);
    n.natLines = b === undefined ? [] : natLines(b);
  }
}

/** net.ipv4.ping_group_range is not in `ip netconf`: read it from /proc/sys inside the namespace. */
async function readPingRange(list: ObservedNamespace[], targets: Target[]): Promise<void> {
  const pathOf = new Map(targets.map((t) => [t.name, t.path]));
  await Promise.all(
    list.map(async (n) => {
      const r = await runProgram([programPath('nsenter'), `--net=${pathOf.get(n.name)}`, programPath('cat'), '/proc/sys/net/ipv4/ping_group_range'], {
        timeoutMs: 10_000,
      });
      if (r.code === 0) n.sysctls['net.ipv4.ping_group_range'] = r.stdout.trim().replace(/\s+/g, ' ');
    }),
  );
}
