/**
 * Turns zod issues into located, readable errors: the zod path finds the node in
 * the YAML text, unknown fields point at the offending key and list the fields
 * that are allowed there.
 */
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { Topology } from '../model/schema';
import { formatPath, type DocPath, type LocatedError } from './errors';
import { locatePath } from './positions';

type AnySchema = z.core.$ZodType;

/** The zod schema that governs `path` in a topology, or undefined where it cannot tell. */
export function schemaAt(path: DocPath, root: AnySchema = Topology): AnySchema | undefined {
  let s: AnySchema | undefined = root;
  const unwrap = (x: AnySchema | undefined): AnySchema | undefined => {
    while (x) {
      const def = x._zod.def as { type: string; innerType?: AnySchema };
      if ((def.type === 'default' || def.type === 'optional' || def.type === 'nullable' || def.type === 'prefault') && def.innerType) x = def.innerType;
      else return x;
    }
    return x;
  };
  for (const seg of path) {
    s = unwrap(s);
    if (!s) return undefined;
    const def = s._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema; items?: AnySchema[]; valueType?: AnySchema };
    if (def.type === 'object' && def.shape) s = def.shape[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'tuple') s = typeof seg === 'number' ? def.items?.[seg] : undefined;
    else if (def.type === 'record') s = def.valueType;
    else return undefined;
  }
  return unwrap(s);
}

function allowedKeys(path: DocPath): string[] {
  const s = schemaAt(path);
  if (!s) return [];
  const def = s._zod.def as { type: string; shape?: Record<string, unknown>; keyType?: AnySchema };
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  if (def.type === 'record' && def.keyType) {
    const kd = def.keyType._zod.def as { type: string; entries?: Record<string, string> };
    if (kd.type === 'enum' && kd.entries) return Object.values(kd.entries);
  }
  return [];
}

/** Levenshtein distance, for "did you mean" on misspelt field names. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** zod's generic wording → what a person editing a file wants to read. */
export function tidy(message: string): string {
  const bound = /^Too (?:small|big): expected (?:number|int|bigint) to be ([<>]=?)(-?[\d.e+]+)$/.exec(message);
  if (bound) return `must be ${{ '>=': 'at least', '<=': 'at most', '>': 'more than', '<': 'less than' }[bound[1]]} ${bound[2]}`;
  const items = /^Too (small|big): expected array to have ([<>]=?)(\d+) items?$/.exec(message);
  if (items)
    return `needs ${items[2] === '>=' ? 'at least' : items[2] === '<=' ? 'at most' : items[2] === '>' ? 'more than' : 'fewer than'} ${items[3]} item${items[3] === '1' ? '' : 's'}`;
  const option = /^Invalid option: expected one of (.*)$/.exec(message);
  if (option) return `must be one of ${option[1].split('|').join(', ')}`;
  if (/^Invalid input: expected int, received number$/.test(message)) return 'must be a whole number';
  return message.replace(/^Invalid input: /, '').replace(/, received /, ', got ');
}

export function zodIssuesToErrors(issues: readonly z.core.$ZodIssue[], yamlDoc: Document, lineCounter: LineCounter, file: string): LocatedError[] {
  const out: LocatedError[] = [];
  for (const issue of issues) {
    const path = issue.path as (string | number)[];
    const at = (p: DocPath, atKey = false) => locatePath(yamlDoc, lineCounter, p, atKey);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(path);
      for (const key of issue.keys) {
        const p = [...path, key];
        const pos = at(p, true);
        const near = allowed.find((a) => editDistance(a.toLowerCase(), key.toLowerCase()) <= 2);
        const hint = (near ? `; did you mean ${JSON.stringify(near)}?` : '') + (allowed.length ? ` (allowed here: ${allowed.join(', ')})` : '');
        out.push({
          file,
          ...pos,
          path: formatPath(p),
          code: 'schema-unknown-field',
          severity: 'error',
          message: `unknown field ${JSON.stringify(key)}${hint}`,
        });
      }
      continue;
    }
    if (issue.code === 'invalid_type' && yamlDoc.getIn(path) === undefined && !yamlDoc.hasIn(path)) {
      const field = path[path.length - 1];
      out.push({
        file,
        ...at(path),
        path: formatPath(path),
        code: 'schema-missing-field',
        severity: 'error',
        message: `missing required field ${JSON.stringify(String(field))} (${issue.expected})`,
      });
      continue;
    }
    const codes: Record<string, string> = {
      invalid_type: 'schema-invalid-type',
      invalid_value: 'schema-invalid-value',
      too_small: 'schema-too-small',
      too_big: 'schema-too-big',
      invalid_format: 'schema-invalid-format',
    };
    let code = codes[issue.code] ?? 'schema-invalid';
    let message = tidy(issue.message);
    if (path.length === 1 && path[0] === 'kind') {
      code = 'wrong-kind';
      message = `kind must be "Topology", not ${JSON.stringify(yamlDoc.getIn(path))}`;
    }
    out.push({ file, ...at(path), path: formatPath(path), code, severity: 'error', message });
  }
  return out;
}
