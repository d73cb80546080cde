/**
 * Which topology a document is, and what it may touch: its own record (plus what
 * it takes over from a record migrated from the previous version), never an
 * object another topology created, never the name of a topology applied from
 * another file.
 */
import type { Topology } from '../../shared/model/schema';
import { identityNote, topologyIdentity, type TopologyIdentity } from '../../shared/model/topology-name';
import { claimsOf, describeClaims, mergeOwnership, splitOwnership, type Claim, type OwnerInfo } from '../ownership/scope';
import type { Ownership } from '../ownership/store';
import { isApplied, listRecords, readRecord, type TopologyRecord } from '../ownership/topologies';
import type { ApplyContext } from './context';
import { fail } from './failure';
import { stateDirOf } from './journal';

/** What plan/apply/destroy need to know about the topology a document is. */
export interface TopologySource {
  /** the file the document came from: names the topology when the document has no `name`, and is recorded */
  file?: string;
  /** the topology's name, whatever the document says (status re-plans a recorded document under its record's name) */
  name?: string;
}

export interface Scoped {
  id: TopologyIdentity;
  mine: TopologyRecord;
  others: TopologyRecord[];
  /** a record migrated from the previous version that holds objects this document names: handed over on commit */
  handover?: { from: TopologyRecord; rest: Ownership };
  /** this topology's record, with what it takes over */
  ownership: Ownership;
  notes: string[];
}

export const ownerOf = (r: TopologyRecord): OwnerInfo => ({ name: r.name, file: r.meta.file, appliedAt: r.meta.appliedAt, ownership: r.ownership });

export function problemNotes(r: TopologyRecord): string[] {
  const now = r.problems.map(
    (p) =>
      `the record file ${p.path} of topology "${r.name}" could not be read (${p.error}); it is kept at ${p.keptAt}, and what it listed counts as not created by netns-studio`,
  );
  const earlier = r.keptAside
    .filter((k) => !r.problems.some((p) => p.keptAt === k))
    .map(
      (k) =>
        `an unreadable record file of topology "${r.name}" is kept at ${k}; what it listed counts as not created by netns-studio until it is repaired and put back`,
    );
  return [...now, ...earlier];
}

export function refuseClaims(claims: Claim[], id: TopologyIdentity): void {
  if (!claims.length) return;
  const owners = [...new Set(claims.map((c) => c.owner))];
  fail(
    'owned-elsewhere',
    `topology "${id.name}" cannot use objects of another topology: ${describeClaims(claims)}. A topology changes only what it created: rename them in this document, or remove the other topology first (netns-studio destroy --name ${owners[0]})`,
    { topology: id.name, claims },
  );
}

/**
 * The same file: the same path, or the same base name where one side knows only
 * the name (the browser never learns paths).
 */
function sameSource(recorded: string, now: string | undefined): boolean {
  if (now === undefined || recorded === now) return recorded === now;
  const base = (f: string) => f.split('/').filter(Boolean).at(-1);
  return (!recorded.includes('/') || !now.includes('/')) && base(recorded) === base(now);
}

/**
 * A document without `name` is named after its file (or title): two files called
 * `topology.yaml` in different folders must not become one topology, the second
 * replacing the first. Refused, unless the document says its name itself.
 */
export function refuseBorrowedName(id: TopologyIdentity, mine: TopologyRecord): void {
  if (id.from === 'document' || !isApplied(mine) || !mine.meta.file || sameSource(mine.meta.file, id.file)) return;
  fail(
    'name-taken',
    `this document has no top-level name, so it would be topology "${id.name}" (after its ${id.from === 'file' ? 'file name' : 'title'}); but topology "${id.name}" was applied from ${mine.meta.file}${mine.meta.appliedAt ? ` at ${mine.meta.appliedAt}` : ''}. Give this document a name of its own (\`name: ...\`), or \`name: ${id.name}\` if it is that topology, moved`,
    { topology: id.name, file: mine.meta.file, appliedAt: mine.meta.appliedAt },
  );
}

/** This topology's record and everyone else's; refuses a document that names another topology's objects. */
export function scope(doc: Topology, ctx: ApplyContext, source: TopologySource): Scoped {
  const stateDir = stateDirOf(ctx.stateDir);
  const id: TopologyIdentity = source.name
    ? { name: source.name, from: 'document', ...(source.file ? { file: source.file } : {}) }
    : topologyIdentity(doc, source.file);
  const records = listRecords(stateDir);
  const mine = records.find((r) => r.name === id.name) ?? readRecord(stateDir, id.name);
  const others = records.filter((r) => r.name !== id.name);
  refuseBorrowedName(id, mine);
  const wanted = ctx.engine.buildKeys(doc);
  const notes: string[] = [];
  const idNote = identityNote(id);
  if (idNote) notes.push(idNote);
  if (mine.meta.file && id.file && mine.meta.file !== id.file && isApplied(mine)) {
    notes.push(
      `topology "${id.name}" was last applied from ${mine.meta.file}${mine.meta.appliedAt ? ` at ${mine.meta.appliedAt}` : ''}; this plan makes the host match ${id.file} instead`,
    );
  }
  notes.push(...problemNotes(mine));
  // a record migrated from the previous version has no document: the first topology that names its objects takes them over
  let handover: Scoped['handover'];
  let ownership = mine.ownership;
  const legacy = others.find((r) => r.meta.migratedFrom && r.document === undefined && claimsOf([ownerOf(r)], wanted).length);
  if (legacy) {
    const { taken, rest } = splitOwnership(legacy.ownership, wanted);
    handover = { from: legacy, rest };
    ownership = mergeOwnership(taken, ownership);
    notes.push(
      `takes over ${taken.owned.length} objects that the previous version's record (topology "${legacy.name}", kept at ${legacy.meta.migratedFrom}) lists`,
    );
  }
  const rivals = others.filter((r) => r !== legacy).map(ownerOf);
  if (legacy) rivals.push({ ...ownerOf(legacy), ownership: handover!.rest });
  refuseClaims(claimsOf(rivals, wanted), id);
  return { id, mine, others, handover, ownership, notes };
}
