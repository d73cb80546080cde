/**
 * Ownership across topologies, pure: which of a document's objects another
 * topology owns (refused: a topology changes only what it created), which
 * recorded objects are gone from the host (reconcile: dropped from the record, so
 * nothing plans to remove them forever), and how a record migrated from the
 * previous version hands objects over to the topology that names them.
 */
import { HOST_NS } from '../../shared/model/schema';
import { covers } from './ledger';
import { keyNamespace } from './keys';
import type { Ownership } from './store';

export interface OwnerInfo {
  name: string;
  file?: string;
  appliedAt?: string;
  ownership: Ownership;
}

export interface Claim {
  key: string;
  owner: string;
  file?: string;
  appliedAt?: string;
}

/** Keys (of a document, or of steps) that another topology created or that live in a namespace it created. */
export function claimsOf(others: OwnerInfo[], keys: Iterable<string>): Claim[] {
  const out: Claim[] = [];
  for (const key of keys) {
    const o = others.find((r) => covers(r.ownership, key));
    if (o) out.push({ key, owner: o.name, ...(o.file ? { file: o.file } : {}), ...(o.appliedAt ? { appliedAt: o.appliedAt } : {}) });
  }
  return out;
}

/** One sentence per owning topology, for the refusal. */
export function describeClaims(claims: Claim[]): string {
  const byOwner = new Map<string, Claim[]>();
  for (const c of claims) byOwner.set(c.owner, [...(byOwner.get(c.owner) ?? []), c]);
  return [...byOwner]
    .map(([owner, cs]) => {
      const keys = cs.map((c) => c.key);
      const from = cs[0].file ? `applied from ${cs[0].file}` : 'applied';
      const when = cs[0].appliedAt ? ` at ${cs[0].appliedAt}` : '';
      return `${keys.slice(0, 5).join(', ')}${keys.length > 5 ? ` (and ${keys.length - 5} more)` : ''} belong${keys.length === 1 ? 's' : ''} to topology "${owner}" (${from}${when})`;
    })
    .join('; ');
}

/** Namespaces a record talks about (besides host): where reconcile must look. */
export function namespacesOfRecord(o: Ownership): string[] {
  const out = new Set<string>();
  for (const k of [...o.owned, ...o.log.map((e) => e.key)]) {
    const ns = keyNamespace(k);
    if (ns !== undefined && ns !== HOST_NS) out.add(ns);
  }
  return [...out];
}

/**
 * Is a recorded object still on the host, given the keys discover saw there?
 * Everything in a namespace that is gone is gone. Links, addresses, routes, DNS
 * files and forwarders are seen one by one, NAT rules where their table was read
 * (`natRead`: discover reads it only where the document has rules); a loopback,
 * a sysctl or an unread NAT rule is taken to be there while its namespace is:
 * its removal tolerates "already gone" anyway.
 */
export function presenceIn(observed: ReadonlySet<string>, natRead: ReadonlySet<string> = new Set()): (key: string) => boolean {
  return (key) => {
    const ns = keyNamespace(key);
    if (ns !== undefined && ns !== HOST_NS && !observed.has(`netns:${ns}`)) return false;
    const kind = key.slice(0, key.indexOf(':'));
    if (kind === 'link' || kind === 'addr' || kind === 'route' || kind === 'dns' || kind === 'forwarder') return observed.has(key);
    if (kind === 'nat' && ns !== undefined && natRead.has(ns)) return observed.has(key);
    return true;
  };
}

/** The record without what is gone from the host, and the keys that went. */
export function reconcile(o: Ownership, present: (key: string) => boolean): { ownership: Ownership; gone: string[] } {
  const gone = new Set<string>();
  const keep = (k: string) => {
    if (present(k)) return true;
    gone.add(k);
    return false;
  };
  const owned = o.owned.filter(keep);
  const log = o.log.filter((e) => keep(e.key));
  if (!gone.size) return { ownership: o, gone: [] };
  return { ownership: { version: 1, nextSeq: o.nextSeq, owned, log }, gone: [...gone].sort() };
}

/**
 * Split a record: what `belongs` (a key a document names, or anything inside a
 * namespace it names) and the rest. A record migrated from the previous version
 * hands the first part to the topology that names it.
 */
export function splitOwnership(o: Ownership, wanted: ReadonlySet<string>): { taken: Ownership; rest: Ownership } {
  const belongs = (k: string) => {
    if (wanted.has(k)) return true;
    const ns = keyNamespace(k);
    return ns !== undefined && ns !== HOST_NS && wanted.has(`netns:${ns}`);
  };
  return {
    taken: { version: 1, nextSeq: o.nextSeq, owned: o.owned.filter(belongs), log: o.log.filter((e) => belongs(e.key)) },
    rest: { version: 1, nextSeq: o.nextSeq, owned: o.owned.filter((k) => !belongs(k)), log: o.log.filter((e) => !belongs(e.key)) },
  };
}

/**
 * Two records as one (what a topology takes over, applied before its own): the
 * older entries first, renumbered, so destroy still undoes in reverse order.
 */
export function mergeOwnership(older: Ownership, newer: Ownership): Ownership {
  if (!older.owned.length && !older.log.length) return newer;
  const log = [...[...older.log].sort((x, y) => x.seq - y.seq), ...[...newer.log].sort((x, y) => x.seq - y.seq)].map((e, i) => ({ ...e, seq: i + 1 }));
  return { version: 1, nextSeq: log.length + 1, owned: [...new Set([...older.owned, ...newer.owned])].sort(), log };
}
