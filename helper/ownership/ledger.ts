/**
 * Ownership rules, pure: what counts as ours, how an apply changes the record,
 * and the steps that remove what a document created.
 */
import type { Step } from '../../shared/model/step';
import type { StepOp } from '../../shared/model/step-op';
import { createdKeys, keyNamespace } from './keys';
import type { OwnedEntry, Ownership } from './store';

/** Exactly this key was created by us. */
const ownedSets = new WeakMap<Ownership, { list: string[]; set: Set<string> }>();
function ownedSet(o: Ownership): Set<string> {
  const c = ownedSets.get(o);
  if (c && c.list === o.owned) return c.set;
  const set = new Set(o.owned);
  ownedSets.set(o, { list: o.owned, set });
  return set;
}

export function ownsKey(o: Ownership, key: string): boolean {
  return ownedSet(o).has(key);
}

/**
 * We may change this object: we created it, or it lives inside a namespace we
 * created (loopback, sysctls, anything in it goes away with the namespace).
 */
export function covers(o: Ownership, key: string): boolean {
  const owned = ownedSet(o);
  if (owned.has(key)) return true;
  const ns = keyNamespace(key);
  return ns !== undefined && ns !== 'host' && owned.has(`netns:${ns}`);
}

/**
 * Mark the steps of a plan that change or delete an object we do not own (and
 * that no earlier step of the same plan creates): apply refuses those unless the
 * person names them.
 */
export function markUnmanaged(steps: Step[], o: Ownership): Step[] {
  const created = new Set<string>();
  return steps.map((s) => {
    const ours = covers(o, s.object) || created.has(s.object) || createdByPlan(created, s.object);
    if (s.action === 'create') for (const k of createdKeys(s)) created.add(k);
    const unmanaged = s.action !== 'create' && !ours;
    const { unmanaged: _old, ...rest } = s;
    return unmanaged ? { ...rest, unmanaged: true } : rest;
  });
}

function createdByPlan(created: Set<string>, key: string): boolean {
  const ns = keyNamespace(key);
  return ns !== undefined && ns !== 'host' && created.has(`netns:${ns}`);
}

/** The record after an apply whose steps `applied` (indices, any order) took effect. */
export function recordApplied(o: Ownership, steps: Step[], applied: number[]): Ownership {
  const next: Ownership = { version: 1, nextSeq: o.nextSeq, owned: [...o.owned], log: [...o.log] };
  const at = new Date().toISOString();
  const owned = new Set(next.owned);
  const changedByKey = new Map<string, OwnedEntry[]>();
  for (const e of next.log) if (e.kind === 'changed') changedByKey.set(e.key, [...(changedByKey.get(e.key) ?? []), e]);
  for (const i of [...applied].sort((a, b) => a - b)) {
    const s = steps[i];
    const entry = (kind: OwnedEntry['kind']): OwnedEntry => ({
      seq: next.nextSeq++,
      key: s.object,
      kind,
      command: { namespace: s.namespace, argv: s.argv, op: s.op },
      undo: s.undo,
      at,
    });
    if (s.action === 'create') {
      for (const k of createdKeys(s)) owned.add(k);
      next.log.push(entry('created'));
    } else if (s.action === 'delete') {
      const gone = goneWith(s.object, next.log);
      for (const k of [...owned]) if (gone(k)) owned.delete(k);
      next.log = next.log.filter((e) => !gone(e.key));
    } else {
      // a change that reverts an earlier one (its recorded undo) cancels it out
      const same = (c: { namespace: string; argv: string[] }) => c.namespace === s.namespace && c.argv.join('\0') === s.argv.join('\0');
      const reverted = (changedByKey.get(s.object) ?? []).find((e) => e.undo.length > 0 && same(e.undo[0]) && next.log.includes(e));
      if (reverted) next.log.splice(next.log.indexOf(reverted), 1);
      // otherwise recorded, so destroy can restore what we changed on objects not
      // ours, and so the rollback of a destroy rebuilds our objects exactly
      else next.log.push(entry('changed'));
    }
  }
  next.owned = [...owned].sort();
  return next;
}

/**
 * What disappears with a deleted object: a namespace takes everything in it, a
 * link takes its veth peer (when we created the pair) and the addresses on both.
 */
function goneWith(key: string, log: OwnedEntry[]): (k: string) => boolean {
  const links = new Set([key]);
  for (const e of log) {
    if (e.key === key && e.kind === 'created') for (const k of createdKeys({ ...e.command, object: e.key } as Step)) links.add(k);
  }
  const ns = key.startsWith('netns:') ? key.slice('netns:'.length) : undefined;
  if (ns !== undefined) {
    // veth pairs with an end in the namespace die with it, far end included
    for (const e of log) {
      const pair = e.kind === 'created' ? vethPair(e) : undefined;
      if (pair?.namespaces.includes(ns)) for (const k of createdKeys({ ...e.command, object: e.key } as Step)) links.add(k);
    }
  }
  const addrPrefixes = [...links].filter((k) => k.startsWith('link:')).map((k) => `addr:${k.slice('link:'.length)}/`);
  return (k) => links.has(k) || (ns !== undefined && keyNamespace(k) === ns) || addrPrefixes.some((p) => k.startsWith(p));
}

/**
 * Steps that remove what applying a document created: every logged command whose
 * object belongs to the document, undone in reverse order. Each destroy step's
 * own undo is the original command, so a destroy that fails half way is rolled
 * back to the state before it. Objects already gone are tolerated by the executor.
 */
const inKernel = (op: StepOp) => !op.op.startsWith('dns.') && !op.op.startsWith('forwarder.');

export function destroySteps(o: Ownership, documentKeys: Set<string>): Step[] {
  const relevant = [...o.log].filter((e) => documentKeys.has(e.key)).sort((a, b) => b.seq - a.seq);
  const deletedNs = new Set(relevant.filter((e) => e.kind === 'created' && e.key.startsWith('netns:')).map((e) => e.key.slice('netns:'.length)));
  // Everything inside a namespace that goes, and the veth pairs with an end in
  // one, go with it: the kernel frees a namespace in bulk, while deleting veths
  // one by one costs an RCU grace period each (~30 ms). Those entries get no
  // step of their own; the rollback of a failed destroy replays them, in their
  // original order, as the undo of the first namespace deletion (the last undone).
  // veth ends (anywhere) that die with those namespaces: what we set on them goes too
  const dyingLinks = new Set<string>();
  for (const e of relevant) {
    const pair = e.kind === 'created' ? vethPair(e) : undefined;
    if (pair?.namespaces.some((n) => deletedNs.has(n)))
      for (const k of createdKeys({ ...e.command, object: e.key } as Step)) dyingLinks.add(k.slice('link:'.length));
  }
  const onDyingLink = (key: string) => {
    const m = /^(?:link|addr):([^/]+\/[^/]+)/.exec(key);
    return !!m && dyingLinks.has(m[1]);
  };
  const goesWithNs = (e: OwnedEntry) => {
    if (e.key.startsWith('netns:')) return false;
    // only kernel state dies with a namespace: files (/etc/netns/NS/resolv.conf) and
    // forwarder processes outlive it and need their own removal step
    if (!inKernel(e.command.op)) return false;
    const ns = keyNamespace(e.key);
    if (ns !== undefined && deletedNs.has(ns)) return true;
    const pair = e.kind === 'created' ? vethPair(e) : undefined;
    if (pair && pair.namespaces.some((n) => deletedNs.has(n))) return true;
    // what we set on such a veth end (master, up, mtu, an address) is gone with it
    return onDyingLink(e.key);
  };
  const replay = relevant
    .filter(goesWithNs)
    .sort((a, b) => a.seq - b.seq)
    .map((e) => e.command);
  const out: Step[] = [];
  let firstNsDelete = true;
  for (const e of relevant) {
    if (goesWithNs(e)) continue;
    e.undo.forEach((u, j) => {
      const nsDelete = e.kind === 'created' && j === 0 && e.key.startsWith('netns:');
      const undo = j === 0 ? [e.command, ...(nsDelete && firstNsDelete ? replay : [])] : [];
      if (nsDelete) firstNsDelete = false;
      out.push({
        namespace: u.namespace,
        argv: u.argv,
        op: u.op,
        undo,
        reason: e.kind === 'created' ? `${e.key} was created by netns-studio` : `netns-studio changed ${e.key}: restore it`,
        object: e.key,
        action: e.kind === 'created' && j === 0 ? 'delete' : 'change',
      });
    });
  }
  // Forwarders stop first (an agent inside a namespace would keep it alive), then
  // the namespaces go, before anything else: what we set on their veths' far ends
  // (a bridge port, an address) goes along, so deleting the bridge after them finds
  // no ports to drop (and a rollback need not give them back).
  const rank = (st: Step) => (st.op.op === 'forwarder.stop' ? 0 : st.op.op === 'netns.del' && st.action === 'delete' ? 1 : 2);
  return out
    .map((st, i) => [st, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([st]) => st);
}

/** Links that disappear (asynchronously) with the namespaces a destroy deletes, outside those namespaces. */
export function linksLeavingWith(o: Ownership, documentKeys: Set<string>): { namespace: string; name: string }[] {
  const relevant = o.log.filter((e) => documentKeys.has(e.key));
  const deletedNs = new Set(relevant.filter((e) => e.kind === 'created' && e.key.startsWith('netns:')).map((e) => e.key.slice('netns:'.length)));
  return vethEndsOutside(relevant, deletedNs);
}

/** Veth ends we created outside `deletedNs` whose peer is inside: deleting those namespaces takes them along, a moment later. */
export function linksLeavingWithNamespaces(o: Ownership, deletedNs: Set<string>): { namespace: string; name: string }[] {
  return deletedNs.size ? vethEndsOutside(o.log, deletedNs) : [];
}

function vethEndsOutside(entries: OwnedEntry[], deletedNs: Set<string>): { namespace: string; name: string }[] {
  const out: { namespace: string; name: string }[] = [];
  for (const e of entries) {
    const pair = e.kind === 'created' ? vethPair(e) : undefined;
    if (!pair || !pair.namespaces.some((n) => deletedNs.has(n))) continue;
    for (const k of createdKeys({ ...e.command, object: e.key } as Step)) {
      const ns = keyNamespace(k);
      if (ns && !deletedNs.has(ns)) out.push({ namespace: ns, name: k.slice(k.indexOf('/') + 1) });
    }
  }
  return out;
}

/** For a veth pair we created: the end it was created as, its namespace, and the namespaces of both ends. */
function vethPair(e: OwnedEntry): { name: string; home: string; namespaces: string[] } | undefined {
  const op = e.command.op;
  if (op.op !== 'link.veth') return undefined;
  return { name: op.name, home: op.ns, namespaces: [...new Set([op.ns, op.peer.ns])] };
}

/** The record after a destroy: the document's objects, what went with them, and their log entries are gone. */
export function recordDestroyed(o: Ownership, documentKeys: Set<string>): Ownership {
  const gone = new Set(documentKeys);
  const nsGone = new Set([...documentKeys].filter((k) => k.startsWith('netns:')).map((k) => k.slice('netns:'.length)));
  for (const e of o.log) {
    if (e.kind !== 'created') continue;
    const pair = vethPair(e);
    if (pair && (gone.has(e.key) || pair.namespaces.some((n) => nsGone.has(n))))
      for (const k of createdKeys({ ...e.command, object: e.key } as Step)) gone.add(k);
  }
  const links = new Set([...gone].filter((k) => k.startsWith('link:')).map((k) => k.slice('link:'.length)));
  const isGone = (k: string) => {
    if (gone.has(k)) return true;
    const ns = keyNamespace(k);
    if (ns !== undefined && nsGone.has(ns)) return true;
    const m = /^addr:([^/]+\/[^/]+)\//.exec(k);
    return !!m && links.has(m[1]);
  };
  return { version: 1, nextSeq: o.nextSeq, owned: o.owned.filter((k) => !isGone(k)), log: o.log.filter((e) => !isGone(e.key)) };
}
