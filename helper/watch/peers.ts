/**
 * Veth peers after re-reading a few namespaces, in time proportional to what
 * changed (discover's resolvePeers looks at every end of every namespace).
 *
 * A fresh namespace's end names its peer as (nsid, ifindex), the nsid private to
 * that namespace. Its previous read already mapped most of its nsids to
 * namespaces (`nsids`), and that mapping still holds while both namespaces live:
 * it is trusted unless the target name was (re)created after that read. Other
 * ends are matched by indices against every namespace's ends (the peer has
 * ifindex = my peer index, and peer index = my ifindex); only ambiguous matches
 * ask the kernel (`listIds`, i.e. `ip netns list-id` in that namespace).
 *
 * Kept namespaces whose peers sit in a re-read or removed namespace get their
 * peer names fixed (a rename on the other side makes no event on this side); a
 * peer whose namespace is gone under its name is matched again by indices, so
 * `ip netns attach NAME PID` (unnamed `inode:N` becomes NAME) re-resolves it.
 */
import type { ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import type { ParsedNamespace } from '../discover/parse';

export interface PeerContext {
  /** every namespace after this round, by name: fresh ones (peers pending) and kept ones */
  all: Map<string, ObservedNamespace>;
  /** a fresh namespace's previous read (undefined when new or replaced) */
  previous(name: string): ObservedNamespace | undefined;
  /** may `owner`'s previous nsid → `target` mapping still be used? */
  trusted(owner: string, target: string): boolean;
  /** nsid → namespace inode, as seen inside `ns` (the kernel's answer) */
  listIds(ns: ObservedNamespace): Promise<Map<number, number>>;
}

interface EndRef {
  ns: string;
  peerIndex: number;
}

/** Resolve the fresh namespaces' peers (in place) and fix kept ones; returns the kept namespaces it replaced with a fixed copy. */
export async function resolveChanged(fresh: ParsedNamespace[], ctx: PeerContext): Promise<Map<string, ObservedNamespace>> {
  const freshNames = new Set(fresh.map((p) => p.ns.name));
  const index = endIndex(fresh, ctx.all, freshNames);
  const byInode = new Map([...ctx.all.values()].map((n) => [n.inode, n]));

  const candidates = (owner: string, ends: { ifindex: number; peerIndex: number }[]): Set<string> => {
    let out: Set<string> | undefined;
    for (const e of ends) {
      const here = new Set((index.get(e.peerIndex) ?? []).filter((m) => m.ns !== owner && m.peerIndex === e.ifindex).map((m) => m.ns));
      out = out ? new Set([...out].filter((c) => here.has(c))) : here;
    }
    return out ?? new Set();
  };

  for (const p of fresh) {
    const prev = ctx.previous(p.ns.name);
    const groups = new Map<number, { ifindex: number; peerIndex: number }[]>();
    for (const [ifindex, pend] of p.pending) {
      if (pend.sameNsName !== undefined) {
        const l = p.ns.links.find((x) => x.ifindex === ifindex);
        const peer = p.ns.links.find((x) => x.name === pend.sameNsName);
        if (l && peer) l.peer = { namespace: p.ns.name, ifindex: peer.ifindex, name: peer.name };
      } else if (pend.nsid !== undefined) {
        const g = groups.get(pend.nsid) ?? [];
        g.push({ ifindex, peerIndex: pend.index ?? ifindex });
        groups.set(pend.nsid, g);
      }
    }
    for (const [nsid, ends] of groups) {
      let target: string | undefined;
      const before = prev?.nsids[String(nsid)];
      if (before !== undefined && ctx.all.has(before) && ctx.trusted(p.ns.name, before)) target = before;
      else {
        const c = candidates(p.ns.name, ends);
        if (c.size === 1) target = [...c][0];
        else if (c.size > 1) {
          const inode = (await ctx.listIds(p.ns).catch(() => new Map<number, number>())).get(nsid);
          target = inode === undefined ? undefined : byInode.get(inode)?.name;
          if (target === undefined) p.ns.warnings.push(`could not tell which namespace nsid ${nsid} is`);
        }
      }
      for (const e of ends) {
        const l = p.ns.links.find((x) => x.ifindex === e.ifindex)!;
        l.peer = peerOf(target === undefined ? undefined : ctx.all.get(target), e.peerIndex, nsid);
      }
      if (target !== undefined) p.ns.nsids[String(nsid)] = target;
    }
  }

  // kept namespaces looking into a re-read or vanished namespace, or not resolved yet
  const fixed = new Map<string, ObservedNamespace>();
  for (const [name, ns] of ctx.all) {
    if (freshNames.has(name)) continue;
    let copy: ObservedNamespace | undefined;
    for (let i = 0; i < ns.links.length; i++) {
      const l = ns.links[i];
      const peer = l.peer;
      if (!peer || peer.nsid === undefined) continue;
      let next: ObservedLink['peer'];
      if (peer.namespace === undefined) {
        const c = candidates(name, [{ ifindex: l.ifindex, peerIndex: peer.ifindex }]);
        if (c.size !== 1) continue;
        next = peerOf(ctx.all.get([...c][0]), peer.ifindex, peer.nsid);
      } else if (freshNames.has(peer.namespace)) {
        next = peerOf(ctx.all.get(peer.namespace), peer.ifindex, peer.nsid);
      } else if (!ctx.all.has(peer.namespace)) {
        // gone under that name: maybe renamed (`ip netns attach` names an unnamed one), so match its ends again
        const c = candidates(name, [{ ifindex: l.ifindex, peerIndex: peer.ifindex }]);
        next = peerOf(c.size === 1 ? ctx.all.get([...c][0]) : undefined, peer.ifindex, peer.nsid);
      } else continue;
      if (JSON.stringify(next) === JSON.stringify(peer)) continue;
      copy ??= { ...ns, links: [...ns.links], nsids: { ...ns.nsids } };
      copy.links[i] = { ...l, peer: next };
      if (next?.namespace !== undefined) copy.nsids[String(peer.nsid)] = next.namespace;
    }
    if (copy) fixed.set(name, copy);
  }
  return fixed;
}

/** The peer as discover writes it: named when its namespace and link are known, else just (ifindex, nsid). */
function peerOf(target: ObservedNamespace | undefined, ifindex: number, nsid: number): ObservedLink['peer'] {
  const link = target?.links.find((x) => x.ifindex === ifindex);
  return target && link ? { namespace: target.name, ifindex, name: link.name, nsid } : { ifindex, nsid };
}

/** ifindex → cross-namespace veth ends with that ifindex, in every namespace. */
function endIndex(fresh: ParsedNamespace[], all: Map<string, ObservedNamespace>, freshNames: Set<string>): Map<number, EndRef[]> {
  const index = new Map<number, EndRef[]>();
  const add = (ifindex: number, ref: EndRef) => {
    const list = index.get(ifindex);
    if (list) list.push(ref);
    else index.set(ifindex, [ref]);
  };
  for (const p of fresh) {
    for (const [ifindex, pend] of p.pending) if (pend.nsid !== undefined) add(ifindex, { ns: p.ns.name, peerIndex: pend.index ?? ifindex });
  }
  for (const [name, ns] of all) {
    if (freshNames.has(name)) continue;
    for (const l of ns.links) if (l.peer?.nsid !== undefined) add(l.ifindex, { ns: name, peerIndex: l.peer.ifindex });
  }
  return index;
}
