/**
 * discover: the whole host (or the namespaces a prefix selects) as observed facts
 * and as a topology document. Few processes: one `ip -batch` per namespace and
 * one `iptables-save` per namespace, fanned out by a couple of xargs streams
 * (./read.ts); everything else comes from /proc and /etc/netns.
 */
import { readFileSync } from 'node:fs';
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { HOST_NS, type Namespace, type NatRule, type Topology } from '../../shared/model/schema';
import { parseResolvConf } from '../../shared/plan/commands';
import { runProgram } from '../proc';
import { parseNatLine, natLines } from './nat';
import { parseNamespace, type ParsedNamespace } from './parse';
import { resolvePeers } from './peers';
import { readIp, readNat } from './read';
import { listTargets, type Target } from './targets';
import { toDocument } from './to-document';

export interface DiscoverOptions {
  unnamed?: boolean;
  onlyPrefix?: string;
  stripPrefix?: boolean;
  /** read NAT tables (default true) */
  nat?: boolean;
  streams?: number;
}

export interface Discovery {
  document: Topology;
  observed: ObservedHost;
}

export async function discover(opts: DiscoverOptions = {}): Promise<Discovery> {
  const t0 = performance.now();
  const readAt = Date.now();
  const { targets, warnings } = listTargets({ unnamed: opts.unnamed, onlyPrefix: opts.onlyPrefix });
  const namespaces = await readTargets(targets, opts);
  const observed: ObservedHost = { readAt, durationMs: 0, namespaces, warnings };
  const document = documentOf(observed, opts);
  observed.durationMs = Math.round((performance.now() - t0) * 10) / 10;
  return { document, observed };
}

/** Read these namespaces (peers resolved among them only). */
export async function readTargets(targets: Target[], opts: DiscoverOptions = {}): Promise<ObservedNamespace[]> {
  const paths = targets.map((t) => t.path);
  const [ip, nat] = await Promise.all([
    readIp(paths, { streams: opts.streams }),
    opts.nat === false ? Promise.resolve(new Map<string, string>()) : readNat(paths, { streams: opts.streams }),
  ]);
  const parsed: ParsedNamespace[] = [];
  for (const t of targets) {
    const raw = ip.get(t.path);
    if (!raw) continue; // vanished while being read
    const p = parseNamespace(t, raw);
    const block = nat.get(t.path);
    if (block !== undefined) p.ns.natLines = natLines(block);
    if (t.named && t.name !== HOST_NS) {
      try {
        p.ns.resolvConf = readFileSync(`/etc/netns/${t.name}/resolv.conf`, 'utf8');
      } catch { /* none */ }
    }
    parsed.push(p);
  }
  const byName = new Map(targets.map((t) => [t.name, t]));
  await resolvePeers(parsed, async (ns) => {
    const t = byName.get(ns.name);
    const r = t ? await runProgram(['nsenter', `--net=${t.path}`, 'ip', '-j', 'netns', 'list-id'], { timeoutMs: 10_000 }) : undefined;
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

/** The document for an observed host; names stripped of the prefix when asked. */
export function documentOf(observed: ObservedHost, opts: DiscoverOptions = {}): Topology {
  const view = opts.stripPrefix && opts.onlyPrefix ? stripHost(observed, opts.onlyPrefix) : observed;
  const nat = new Map<string, NatRule[]>();
  const dns = new Map<string, Namespace['dns']>();
  for (const ns of view.namespaces) {
    if (ns.natLines) nat.set(ns.name, ns.natLines.map(parseNatLine).filter((r): r is NatRule => !!r));
    if (ns.resolvConf) dns.set(ns.name, parseResolvConf(ns.resolvConf));
  }
  return toDocument(view, { nat, dns });
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
