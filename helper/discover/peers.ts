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
import type { ObservedLink, ObservedNamespace } from '../../shared/model/observed';
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
  // ends by (own ifindex, peer ifindex): my peer is an end keyed (my peer index, my ifindex)
  const byPair = new Map<string, End[]>();
  for (const p of all) {
    for (const [ifindex, pend] of p.pending) {
      if (pend.nsid === undefined) continue;
      const e: End = { ns: p, ifindex, nsid: pend.nsid, peerIndex: pend.index ?? ifindex };
      ends.push(e);
      const k = `${ifindex}/${e.peerIndex}`;
      const list = byPair.get(k) ?? [];
      list.push(e);
      byPair.set(k, list);
    }
  }
  // (namespace, nsid) → candidate namespaces, intersected over every end that uses that nsid
  const groups = new Map<string, { owner: ParsedNamespace; nsid: number; ends: End[]; cands?: Set<ParsedNamespace> }>();
  for (const e of ends) {
    const key = `${e.ns.ns.inode}/${e.nsid}`;
    const g = groups.get(key) ?? { owner: e.ns, nsid: e.nsid, ends: [] };
    g.ends.push(e);
    const here = new Set((byPair.get(`${e.peerIndex}/${e.ifindex}`) ?? []).filter((m) => m.ns !== e.ns).map((m) => m.ns));
    g.cands = g.cands ? new Set([...g.cands].filter((c) => here.has(c))) : here;
    groups.set(key, g);
  }
  const resolved = new Map<string, ParsedNamespace>();
  // namespaces already taken by one nsid of an owner, per owner (kept beside `resolved` so
  // propagation costs O(groups) per pass, not O(groups²): a host with 500 veths has 1000 groups)
  const takenBy = new Map<ParsedNamespace, Set<ParsedNamespace>>();
  const take = (key: string, g: { owner: ParsedNamespace }, target: ParsedNamespace) => {
    resolved.set(key, target);
    const t = takenBy.get(g.owner) ?? new Set<ParsedNamespace>();
    t.add(target);
    takenBy.set(g.owner, t);
  };
  // propagate: a namespace taken by one nsid of an owner cannot be another nsid's
  for (let changed = true; changed;) {
    changed = false;
    for (const [key, g] of groups) {
      if (resolved.has(key)) continue;
      for (const r of takenBy.get(g.owner) ?? []) if (g.cands!.delete(r)) changed = true;
      if (g.cands!.size === 1) {
        take(key, g, [...g.cands!][0]);
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
        if (target) take(k, g, target);
      }
    }
  }
  const linkIndex = new Map<ParsedNamespace, Map<number, ObservedLink>>();
  const linkAt = (p: ParsedNamespace, ifindex: number) => {
    let m = linkIndex.get(p);
    if (!m) linkIndex.set(p, (m = new Map(p.ns.links.map((x) => [x.ifindex, x]))));
    return m.get(ifindex);
  };
  for (const [key, g] of groups) {
    const target = resolved.get(key);
    for (const e of g.ends) {
      const l = linkAt(e.ns, e.ifindex)!;
      const peer = target ? linkAt(target, e.peerIndex) : undefined;
      l.peer = target && peer ? { namespace: target.ns.name, ifindex: peer.ifindex, name: peer.name, nsid: e.nsid } : { ifindex: e.peerIndex, nsid: e.nsid };
    }
    if (target) g.owner.ns.nsids[String(g.nsid)] = target.ns.name;
    else if (g.cands!.size > 1) g.owner.ns.warnings.push(`could not tell which namespace nsid ${g.nsid} is`);
  }
}
