/**
 * Loading a topology file. Keeps the YAML Document (with its comments and source
 * positions) next to the typed topology, so that saving after an edit changes only
 * what changed, and every error points at a line and column.
 *
 * Order: YAML syntax → apiVersion (old versions are migrated) → schema (zod,
 * strict: unknown fields are refused). Semantic rules live in ../validate/.
 */
import { LineCounter, parseDocument, isMap, type Document } from 'yaml';
import { Topology } from '../model/schema';
import { migrateDocument } from '../model/migrations';
import type { LocatedError } from './errors';
import { checkText, checkTree, type LimitsProblem } from './limits';
import { locatePath } from './positions';
import { zodIssuesToErrors } from './schema-errors';

export interface LoadOk {
  ok: true;
  doc: Topology;
  yamlDoc: Document;
  lineCounter: LineCounter;
  /** Warnings only. */
  errors: LocatedError[];
  /** The file's apiVersion when it was migrated, with the migrations applied. */
  migrated?: { from: string; applied: string[] };
}
export interface LoadFailed {
  ok: false;
  doc?: undefined;
  /** Present once the text parsed as YAML, so callers can still locate things. */
  yamlDoc?: Document;
  lineCounter: LineCounter;
  errors: LocatedError[];
}
export type LoadResult = LoadOk | LoadFailed;

/** Parse text as YAML, keeping positions; the shared first step of load and check. */
export function parseYaml(text: string): { yamlDoc: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const yamlDoc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  return { yamlDoc, lineCounter };
}

/** yaml's messages end with " at line N, column M:" and a snippet; the location is said separately. */
function yamlMessage(message: string): string {
  return message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
}

function limitError(p: LimitsProblem, lineCounter: LineCounter, file: string): LocatedError {
  const { line, col } = lineCounter.linePos(p.offset);
  return { file, line, column: col, path: '', severity: 'error', code: p.code, message: `refused: ${p.message}` };
}

/** Schema problems reported per file; the rest are counted. */
const MAX_SCHEMA_ERRORS = 1000;

export function loadTopology(text: string, file = '<input>'): LoadResult {
  const tooBig = checkText(text);
  if (tooBig) {
    // positions without parsing: a LineCounter fed the line starts
    const lineCounter = new LineCounter();
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i !== -1 && i < tooBig.offset; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
    return { ok: false, lineCounter, errors: [limitError(tooBig, lineCounter, file)] };
  }
  const { yamlDoc, lineCounter } = parseYaml(text);
  const errors: LocatedError[] = [];
  for (const [list, severity] of [
    [yamlDoc.errors, 'error'],
    [yamlDoc.warnings, 'warning'],
  ] as const) {
    for (const e of list) {
      const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
      errors.push({
        file,
        line: pos.line,
        column: pos.col,
        path: '',
        severity,
        code: e.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax',
        message:
          e.code === 'MULTIPLE_DOCS'
            ? 'a topology file holds exactly one YAML document: remove the second `---` and what follows, or split the file'
            : `YAML ${severity === 'error' ? 'syntax error' : 'warning'}: ${yamlMessage(e.message)}`,
      });
    }
  }
  if (yamlDoc.errors.length) return { ok: false, yamlDoc, lineCounter, errors };
  const expands = checkTree(yamlDoc);
  if (expands) return { ok: false, yamlDoc, lineCounter, errors: [...errors, limitError(expands, lineCounter, file)] };

  if (!isMap(yamlDoc.contents)) {
    const empty = yamlDoc.contents === null || yamlDoc.contents === undefined;
    const pos = locatePath(yamlDoc, lineCounter, []);
    errors.push({
      file,
      ...pos,
      path: '',
      severity: 'error',
      code: empty ? 'empty-document' : 'not-a-mapping',
      message: empty
        ? 'the file is empty: a topology starts with `apiVersion: netns-studio/v1` and `kind: Topology`'
        : 'a topology file must be a YAML mapping (key: value pairs) at the top level',
    });
    return { ok: false, yamlDoc, lineCounter, errors };
  }

  const migration = migrateDocument(yamlDoc);
  if (!migration.ok) {
    const pos = locatePath(yamlDoc, lineCounter, ['apiVersion']);
    errors.push({
      file,
      ...pos,
      path: migration.code === 'missing-api-version' ? '' : 'apiVersion',
      severity: 'error',
      code: migration.code,
      message: migration.message,
    });
    return { ok: false, yamlDoc, lineCounter, errors };
  }

  let data: unknown;
  try {
    // maxAliasCount guards against alias bombs ("billion laughs").
    data = yamlDoc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    errors.push({
      file,
      line: 1,
      column: 1,
      path: '',
      severity: 'error',
      code: 'yaml-syntax',
      message: `YAML error: ${e instanceof Error ? e.message : String(e)}`,
    });
    return { ok: false, yamlDoc, lineCounter, errors };
  }
  const parsed = Topology.safeParse(data);
  if (!parsed.success) {
    // a hostile file can have one problem per value: say the first ones and how many more
    const shown = parsed.error.issues.slice(0, MAX_SCHEMA_ERRORS);
    for (const e of zodIssuesToErrors(shown, yamlDoc, lineCounter, file)) errors.push(e);
    const more = parsed.error.issues.length - shown.length;
    if (more > 0) errors.push({ file, line: 1, column: 1, path: '', severity: 'error', code: 'schema-too-many', message: `and ${more} more schema problems` });
    return { ok: false, yamlDoc, lineCounter, errors };
  }
  const migrated = migration.applied.length ? { from: migration.from, applied: migration.applied } : undefined;
  return { ok: true, doc: parsed.data, yamlDoc, lineCounter, errors, migrated };
}
