/**
 * One record per topology under the state dir, laid out for a person to read:
 *
 *   <state>/topologies/<name>/topology.json   name, file, when first and last applied, destroyed
 *   <state>/topologies/<name>/owned.json      what it created and changed, with the commands (./store.ts)
 *   <state>/topologies/<name>/document.json   the document last applied (`status`, `open` read it)
 *   <state>/topologies/<name>/history.jsonl   one line per apply, destroy, record moved aside
 *   <state>/topologies/<name>/journal.jsonl   only while an apply runs (journal.last.jsonl after)
 *   <state>/owned.pre-topologies.json         the previous version's single record, kept after migration
 *
 * A file that cannot be read is never overwritten: it is moved aside to
 * `FILE.unreadable-<time>` (kept, and listed as a problem until someone removes
 * it), and the topology carries on as if that file were empty.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkTopologyName } from '../../shared/model/topology-name';
import type { TopologyHistoryEntry } from '../../shared/model/topology-status';
import { emptyOwnership, loadOwnership, OWNERSHIP_FILE, saveOwnership, writeFileAtomic, type Ownership } from './store';

export const TOPOLOGIES_DIR = 'topologies';
export const LEGACY_NAME = 'legacy';
/** where the previous version's `<state>/owned.json` is kept once migrated */
export const LEGACY_KEPT = 'owned.pre-topologies.json';
const META_FILE = 'topology.json';
const DOCUMENT_FILE = 'document.json';
const HISTORY_FILE = 'history.jsonl';
const UNREADABLE = '.unreadable-';

export interface TopologyMeta {
  name: string;
  /** the file it was last applied from, as given (absolute in the CLI) */
  file?: string;
  firstAppliedAt?: string;
  appliedAt?: string;
  /** set by destroy; cleared by the next apply */
  destroyedAt?: string;
  /** made from the previous version's single record (kept at this path) */
  migratedFrom?: string;
}

export interface RecordProblem {
  /** the file that could not be read */
  path: string;
  error: string;
  /** where it is now */
  keptAt: string;
}

export interface TopologyRecord {
  name: string;
  dir: string;
  meta: TopologyMeta;
  ownership: Ownership;
  /** the document last applied (absent for a migrated record) */
  document?: unknown;
  /** files found unreadable now (moved aside just now) */
  problems: RecordProblem[];
  /** files moved aside earlier and still kept there */
  keptAside: string[];
}

export type HistoryEntry = TopologyHistoryEntry;

export function topologiesDir(stateDir: string): string {
  return join(stateDir, TOPOLOGIES_DIR);
}

export function topologyDir(stateDir: string, name: string): string {
  const bad = checkTopologyName(name);
  if (bad) throw new Error(bad);
  return join(topologiesDir(stateDir), name);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/** Rename `path` out of the way, never over another file; returns where it went. */
function moveAside(path: string): string {
  let to = `${path}${UNREADABLE}${stamp()}`;
  for (let i = 2; existsSync(to); i++) to = `${path}${UNREADABLE}${stamp()}-${i}`;
  renameSync(path, to);
  return to;
}

function readJsonFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
}

export function appendHistory(dir: string, entry: HistoryEntry): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  appendFileSync(join(dir, HISTORY_FILE), JSON.stringify(entry) + '\n', { mode: 0o600 });
}

export function readHistory(dir: string): HistoryEntry[] {
  const p = join(dir, HISTORY_FILE);
  if (!existsSync(p)) return [];
  const out: HistoryEntry[] = [];
  for (const line of readFileSync(p, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as HistoryEntry);
    } catch {
      /* a torn last line: the rest is still history */
    }
  }
  return out;
}

/** Read one file of a record; an unreadable one is moved aside and reported, and `fallback` stands in. */
function readPart<T>(dir: string, file: string, read: () => T, fallback: T, problems: RecordProblem[]): T {
  const path = join(dir, file);
  if (!existsSync(path)) return fallback;
  try {
    return read();
  } catch (e) {
    const keptAt = moveAside(path);
    const error = e instanceof Error ? e.message : String(e);
    problems.push({ path, error, keptAt });
    appendHistory(dir, { at: new Date().toISOString(), action: 'record-unreadable', note: `${path} could not be read (${error}); kept at ${keptAt}` });
    return fallback;
  }
}

function metaOf(data: unknown, name: string): TopologyMeta {
  const m = data as Partial<TopologyMeta> | null;
  if (!m || typeof m !== 'object' || (m.name !== undefined && m.name !== name)) throw new Error(`${META_FILE}: not the record of topology ${name}`);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const meta: TopologyMeta = { name };
  for (const k of ['file', 'firstAppliedAt', 'appliedAt', 'destroyedAt', 'migratedFrom'] as const) {
    const v = str(m[k]);
    if (v !== undefined) meta[k] = v;
  }
  return meta;
}

/** The record of topology `name` (empty when it was never applied). */
export function readRecord(stateDir: string, name: string): TopologyRecord {
  const dir = topologyDir(stateDir, name);
  const problems: RecordProblem[] = [];
  const meta = readPart(dir, META_FILE, () => metaOf(readJsonFile(join(dir, META_FILE)), name), { name }, problems);
  const ownership = readPart(dir, OWNERSHIP_FILE, () => loadOwnership(dir), emptyOwnership(), problems);
  const document = readPart<unknown>(dir, DOCUMENT_FILE, () => readJsonFile(join(dir, DOCUMENT_FILE)), undefined, problems);
  const keptAside = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.includes(UNREADABLE))
        .sort()
        .map((f) => join(dir, f))
    : [];
  return { name, dir, meta, ownership, ...(document !== undefined ? { document } : {}), problems, keptAside };
}

/** Applied and not destroyed since (a record that only keeps history is not listed). */
export function isApplied(r: TopologyRecord): boolean {
  if (r.ownership.owned.length || r.ownership.log.length) return true;
  return r.meta.appliedAt !== undefined && r.meta.destroyedAt === undefined;
}

/** Every topology with a record under the state dir (the previous version's record migrated first). */
export function listRecords(stateDir: string): TopologyRecord[] {
  migrateLegacyRecord(stateDir);
  const root = topologiesDir(stateDir);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && checkTopologyName(d.name) === null)
    .map((d) => d.name)
    .sort()
    .map((name) => readRecord(stateDir, name));
}

/** After an apply committed: when, from which file, and the document (for `status` and the app's list). */
export function noteApplied(dir: string, name: string, info: { file?: string; document?: unknown; steps: number; applied: number; skipped: number }): void {
  const problems: RecordProblem[] = [];
  const at = new Date().toISOString();
  const old = readPart(dir, META_FILE, () => metaOf(readJsonFile(join(dir, META_FILE)), name), { name }, problems);
  const { destroyedAt: _gone, ...kept } = old;
  const meta: TopologyMeta = { ...kept, name, ...(info.file ? { file: info.file } : {}), firstAppliedAt: old.firstAppliedAt ?? at, appliedAt: at };
  writeFileAtomic(join(dir, META_FILE), JSON.stringify(meta, null, 1) + '\n');
  if (info.document !== undefined) writeFileAtomic(join(dir, DOCUMENT_FILE), JSON.stringify(info.document, null, 1) + '\n');
  appendHistory(dir, { at, action: 'apply', ...(info.file ? { file: info.file } : {}), steps: info.steps, applied: info.applied, skipped: info.skipped });
}

/** After a destroy committed: the record keeps its history and says when it was destroyed. */
export function noteDestroyed(dir: string, name: string, info: { steps: number; applied: number; skipped: number }): void {
  const problems: RecordProblem[] = [];
  const at = new Date().toISOString();
  const old = readPart(dir, META_FILE, () => metaOf(readJsonFile(join(dir, META_FILE)), name), { name }, problems);
  writeFileAtomic(join(dir, META_FILE), JSON.stringify({ ...old, destroyedAt: at }, null, 1) + '\n');
  rmSync(join(dir, DOCUMENT_FILE), { force: true });
  appendHistory(dir, { at, action: 'destroy', steps: info.steps, applied: info.applied, skipped: info.skipped });
}

export interface LegacyMigration {
  /** the topology the old record became */
  name?: string;
  /** the old file, kept here */
  keptAt: string;
  problem?: RecordProblem;
}

/**
 * The previous version kept one host-wide `<state>/owned.json`. It becomes the
 * topology `legacy` (or `legacy-2`, … when taken), losing nothing: the same
 * entries, the file's time as when it was applied, and the old file kept as
 * `owned.pre-topologies.json`. Waits while an old journal is unfinished (recovery
 * first writes into the old record). Crash-safe: the new record is complete
 * under a temporary name before it appears, and the old file moves last.
 */
export function migrateLegacyRecord(stateDir: string): LegacyMigration | undefined {
  const old = join(stateDir, OWNERSHIP_FILE);
  if (!existsSync(old) || existsSync(join(stateDir, 'journal.jsonl'))) return undefined;
  let keptAt = join(stateDir, LEGACY_KEPT);
  for (let i = 2; existsSync(keptAt); i++) keptAt = join(stateDir, `owned.pre-topologies-${i}.json`);
  let ownership: Ownership;
  try {
    ownership = loadOwnership(stateDir);
  } catch (e) {
    const at = moveAside(old);
    return { keptAt: at, problem: { path: old, error: e instanceof Error ? e.message : String(e), keptAt: at } };
  }
  const root = topologiesDir(stateDir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const already = readdirSync(root).find((n) => {
    try {
      return (readJsonFile(join(root, n, META_FILE)) as TopologyMeta).migratedFrom === keptAt;
    } catch {
      return false;
    }
  });
  let name = already;
  if (!name && (ownership.owned.length || ownership.log.length)) {
    name = LEGACY_NAME;
    for (let i = 2; existsSync(join(root, name)); i++) name = `${LEGACY_NAME}-${i}`;
    const tmp = join(root, `.migrating-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    saveOwnership(tmp, ownership);
    const appliedAt = statSync(old).mtime.toISOString();
    const firstAppliedAt =
      ownership.log
        .map((e) => e.at)
        .filter(Boolean)
        .sort()[0] ?? appliedAt;
    const meta: TopologyMeta = { name, firstAppliedAt, appliedAt, migratedFrom: keptAt };
    writeFileAtomic(join(tmp, META_FILE), JSON.stringify(meta, null, 1) + '\n');
    appendHistory(tmp, {
      at: new Date().toISOString(),
      action: 'migrate',
      note: `made from the previous version's single record ${old} (kept at ${keptAt}): ${ownership.owned.length} objects, ${ownership.log.length} commands`,
    });
    renameSync(tmp, join(root, name));
  }
  renameSync(old, keptAt);
  return { ...(name ? { name } : {}), keptAt };
}

/**
 * Recovery finished a topology's interrupted transaction: its history says so,
 * and a committed or finished apply (destroy) counts as applied (destroyed).
 */
export function noteRecovered(dir: string, name: string, info: { kind: string; outcome: 'committed' | 'rolled-back' | 'finished'; steps: number }): void {
  const problems: RecordProblem[] = [];
  const at = new Date().toISOString();
  const took = info.outcome !== 'rolled-back';
  if (took) {
    const old = readPart(dir, META_FILE, () => metaOf(readJsonFile(join(dir, META_FILE)), name), { name }, problems);
    const { destroyedAt: _gone, ...kept } = old;
    const meta: TopologyMeta = info.kind === 'destroy' ? { ...old, destroyedAt: at } : { ...kept, firstAppliedAt: old.firstAppliedAt ?? at, appliedAt: at };
    writeFileAtomic(join(dir, META_FILE), JSON.stringify(meta, null, 1) + '\n');
  }
  appendHistory(dir, {
    at,
    action: 'recover',
    steps: info.steps,
    note: `an interrupted ${info.kind} was ${info.outcome === 'rolled-back' ? 'rolled back' : info.outcome === 'finished' ? 'finished' : 'found committed; its record was saved'}`,
  });
}
