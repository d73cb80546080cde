/**
 * The whole check of a topology file, as `netns-studio validate` and the editor
 * run it: YAML syntax, apiVersion (migrating old files), schema, then the semantic
 * rules, every problem located in the text.
 */
import type { Topology } from '../model/schema';
import { formatPath, type LocatedError } from '../yaml/errors';
import { loadTopology, type LoadResult } from '../yaml/load';
import { locatePath } from '../yaml/positions';
import { validateTopology } from './validate';

export interface CheckResult {
  /** No errors (warnings may remain). */
  ok: boolean;
  doc?: Topology;
  load: LoadResult;
  /** Errors and warnings, in file order. */
  errors: LocatedError[];
}

export function checkTopologyText(text: string, file = '<input>'): CheckResult {
  const load = loadTopology(text, file);
  const errors = [...load.errors];
  if (load.ok) {
    for (const i of validateTopology(load.doc)) {
      const pos = locatePath(load.yamlDoc, load.lineCounter, i.path);
      errors.push({ file, ...pos, path: formatPath(i.path), message: i.message, code: i.code, severity: i.severity });
    }
  }
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  const ok = load.ok && !errors.some((e) => e.severity === 'error');
  return { ok, doc: load.ok ? load.doc : undefined, load, errors };
}
