/**
 * Resolves veth peers across namespaces. A veth end names its peer as
 * (link_netnsid, link_index), where the nsid is private to the end's namespace
 * (and the index may be omitted when it equals the end's own ifindex).
 *
 * `ip netns list-id` would map nsids to names, but it resolves every name by
 * opening every file in /run/netns: O(N) per namespace, O(N²) for a host. So
 * peers are first matched by their indices (the peer has ifindex = my link
 * index, and its link index = my ifindex), with one constraint: all ends of a
 * namespace that share an nsid point into the same namespace. Only namespaces
 * left ambiguous after that ask the kernel with `list-id`.
 */
import type { ObservedNamespace } from '../../shared/model/observed';
import type { ParsedNamespace } from './parse';

/** nsid → inode of the namespace it names, as seen from inside one namespace. */
export type ListIds = (ns: ObservedNamespace) => Promise<Map<number, number>>;

interface End {
  ns: ParsedNamespace;
  ifindex: number;
  nsid: number;
  peerIndex: number;
}

export async function resolvePeers(all: ParsedNamespace[], listIds?: ListIds): Promise<void> {
  // same-namespace peers: named directly
  for (const p of all) {
    for (const [ifindex, pend] of p.pending) {
      if (pend.sameNsName === undefined) continue;
      const l = p.ns.links.find((x) => x.ifindex === ifindex);
      const peer = p.ns.links.find((x) => x.name === pend.sameNsName);
      if (l && peer) l.peer = { namespace: p.ns.name, ifindex: peer.ifindex, name: peer.name };
    }
  }
  const ends: End[] = [];
  const byIndex = new Map<number, End[]>();
  for (const p of all) {
    for (const [ifindex, pend] of p.pending) {
      if (pend.nsid === undefined) continue;
      const e: End = { ns: p, ifindex, nsid: pend.nsid, peerIndex: pend.index ?? ifindex };
      ends.push(e);
      const list = byIndex.get(ifindex) ?? [];
      list.push(e);
      byIndex.set(ifindex, list);
    }
  }
  // (namespace, nsid) → candidate namespaces, intersected over every end that uses that nsid
  const groups = new Map<string, { owner: ParsedNamespace; nsid: number; ends: End[]; cands?: Set<ParsedNamespace> }>();
  for (const e of ends) {
    const key = `${e.ns.ns.inode}/${e.nsid}`;
    const g = groups.get(key) ?? { owner: e.ns, nsid: e.nsid, ends: [] };
    g.ends.push(e);
    const here = new Set((byIndex.get(e.peerIndex) ?? []).filter((m) => m.ns !== e.ns && m.peerIndex === e.ifindex).map((m) => m.ns));
    g.cands = g.cands ? new Set([...g.cands].filter((c) => here.has(c))) : here;
    groups.set(key, g);
  }
  const resolved = new Map<string, ParsedNamespace>();
  // propagate: a namespace taken by one nsid of an owner cannot be another nsid's
  for (let changed = true; changed;) {
    changed = false;
    for (const [key, g] of groups) {
      if (resolved.has(key)) continue;
      for (const [k2, r] of resolved) if (k2.startsWith(`${g.owner.ns.inode}/`) && g.cands!.delete(r)) changed = true;
      if (g.cands!.size === 1) {
        resolved.set(key, [...g.cands!][0]);
        changed = true;
      }
    }
  }
  const ambiguous = [...groups].filter(([k, g]) => !resolved.has(k) && g.cands!.size > 1);
  if (ambiguous.length && listIds) {
    const byInode = new Map(all.map((p) => [p.ns.inode, p]));
    const owners = [...new Set(ambiguous.map(([, g]) => g.owner))];
    for (const owner of owners) {
      const ids = await listIds(owner.ns).catch(() => new Map<number, number>());
      for (const [k, g] of ambiguous) {
        if (g.owner !== owner) continue;
        const inode = ids.get(g.nsid);
        const target = inode === undefined ? undefined : byInode.get(inode);
        if (target) resolved.set(k, target);
      }
    }
  }
  for (const [key, g] of groups) {
    const target = resolved.get(key);
    for (const e of g.ends) {
      const l = e.ns.ns.links.find((x) => x.ifindex === e.ifindex)!;
      const peer = target?.ns.links.find((x) => x.ifindex === e.peerIndex);
      l.peer = target && peer
        ? { namespace: target.ns.name, ifindex: peer.ifindex, name: peer.name, nsid: e.nsid }
        : { ifindex: e.peerIndex, nsid: e.nsid };
    }
    if (target) g.owner.ns.nsids[String(g.nsid)] = target.ns.name;
    else if (g.cands!.size > 1) g.owner.ns.warnings.push(`could not tell which namespace nsid ${g.nsid} is`);
  }
}
