/**
 * The live picture with every namespace: the host's document holds named
 * namespaces only, so the unnamed ones (containers, Mininet hosts, `unshare -n`)
 * and the veths into them come from the observed host. They are drawn like any
 * host object but are never adoptable as they are (`isLiveOnly`): a document
 * cannot create a namespace it has no name for. Labels (container name, pod,
 * Mininet host…) go beside, keyed by namespace name.
 *
 * Pure: plain data in, plain data out.
 */
import type { ObservedHost, ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import type { Bridge, Namespace, Topology, Veth, VethEnd } from '../../shared/model/schema';

const DEFAULT_MTU = 1500;

/** Names the helper gives unnamed namespaces (`inode:N`). */
export const isUnnamedName = (name: string) => /^inode:\d+$/.test(name);

/** A canvas id that stands for something only the host has and a document cannot name. */
export function isLiveOnly(id: string): boolean {
  return /(^|[:|/])inode:\d+/.test(id);
}

export interface WithUnnamed {
  host: Topology;
  /** namespace name → what a person calls it (unnamed ones, and named ones with an identity) */
  labels: Record<string, string>;
}

const emptyNs = (name: string, lo?: ObservedLink): Namespace => ({ name, loopback: !lo || lo.up ? 'up' : 'down', sysctls: {}, routes: [], nat: [], vrfs: [] });

/**
 * `aliases` (./live-external.ts `externalAliases`): unnamed namespaces the document
 * refers to as external entries, drawn under the entry's name.
 */
export function withUnnamed(host: Topology, observed: ObservedHost | undefined, aliases?: ReadonlyMap<string, string>): WithUnnamed {
  const drawn = withUnnamedAsNamed(host, observed);
  return aliases?.size ? renamed(drawn, aliases) : drawn;
}

/** Unnamed namespaces renamed: their entries, bridges, veth ends and labels. */
function renamed({ host, labels }: WithUnnamed, aliases: ReadonlyMap<string, string>): WithUnnamed {
  const rn = (n: string) => aliases.get(n) ?? n;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) out[rn(k)] = v;
  return {
    labels: out,
    host: {
      ...host,
      namespaces: host.namespaces.map((n) => (aliases.has(n.name) ? { ...n, name: rn(n.name) } : n)),
      bridges: host.bridges.map((b) => (aliases.has(b.namespace) ? { ...b, namespace: rn(b.namespace) } : b)),
      veths: host.veths.map((v) =>
        v.ends.some((e) => aliases.has(e.namespace)) ? { ...v, ends: v.ends.map((e) => ({ ...e, namespace: rn(e.namespace) })) as typeof v.ends } : v,
      ),
    },
  };
}

function withUnnamedAsNamed(host: Topology, observed: ObservedHost | undefined): WithUnnamed {
  const labels: Record<string, string> = {};
  if (!observed) return { host, labels };
  for (const n of observed.namespaces) if (n.identity) labels[n.name] = n.identity.label;
  // explicitly unnamed, and not a namespace the document already has (an observed host may say little)
  const inDoc = new Set(host.namespaces.map((n) => n.name));
  const unnamed = observed.namespaces.filter((n) => n.named === false && !inDoc.has(n.name) && Array.isArray(n.links));
  if (!unnamed.length) return { host, labels };
  const byName = new Map(observed.namespaces.map((n) => [n.name, n]));
  const present = new Set([...host.namespaces.map((n) => n.name), 'host', ...unnamed.map((n) => n.name)]);
  const bridgesIn = new Map<string, Set<string>>();
  for (const b of host.bridges) (bridgesIn.get(b.namespace) ?? bridgesIn.set(b.namespace, new Set()).get(b.namespace)!).add(b.name);

  const namespaces: Namespace[] = [...host.namespaces];
  const bridges: Bridge[] = [...host.bridges];
  for (const n of unnamed) {
    namespaces.push(
      emptyNs(
        n.name,
        n.links.find((l) => l.kind === 'loopback'),
      ),
    );
    for (const l of n.links) {
      if (l.kind !== 'bridge') continue;
      bridges.push({ name: l.name, namespace: n.name, addresses: addrs(l), up: l.up });
      (bridgesIn.get(n.name) ?? bridgesIn.set(n.name, new Set()).get(n.name)!).add(l.name);
    }
  }
  const end = (ns: ObservedNamespace, l: ObservedLink): VethEnd => {
    const e: VethEnd = { namespace: ns.name, name: l.name, addresses: addrs(l), up: l.up };
    if (l.mtu !== DEFAULT_MTU) e.mtu = l.mtu;
    if (l.master && bridgesIn.get(ns.name)?.has(l.master)) e.master = l.master;
    return e;
  };
  const veths: Veth[] = [...host.veths];
  const seen = new Set<string>();
  for (const n of unnamed) {
    for (const l of n.links) {
      const p = l.peer;
      if (l.kind !== 'veth' || !p?.namespace || !present.has(p.namespace)) continue;
      const other = byName.get(p.namespace);
      const pl = other?.links.find((x) => x.ifindex === p.ifindex);
      if (!other || !pl) continue;
      const key = [`${n.name}/${l.name}`, `${other.name}/${pl.name}`].sort().join('|');
      if (seen.has(key)) continue;
      seen.add(key);
      // the end outside the container first: the edge is named after it, like a document's
      const ends = isUnnamedName(other.name) ? [end(n, l), end(other, pl)] : [end(other, pl), end(n, l)];
      veths.push({ ends: ends as [VethEnd, VethEnd] });
    }
  }
  if (!namespaces.some((n) => n.name === 'host') && veths.some((v) => v.ends.some((e) => e.namespace === 'host'))) {
    const h = byName.get('host');
    namespaces.unshift(
      emptyNs(
        'host',
        h?.links.find((l) => l.kind === 'loopback'),
      ),
    );
  }
  return { host: { ...host, namespaces, bridges, veths }, labels };
}

function addrs(l: ObservedLink): string[] {
  return (l.addresses ?? []).filter((a) => !(a.family === 6 && a.scope === 'link')).map((a) => a.cidr);
}
