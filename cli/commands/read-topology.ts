/**
 * Reads and fully checks a topology file for the CLI (YAML, apiVersion,
 * schema, semantic rules). Problems come back located, ready to print.
 */
import { readFileSync } from 'node:fs';
import type { Topology } from '../../shared/model/schema';
import type { LocatedError } from '../../shared/yaml/errors';

export interface ReadResult {
  ok: boolean;
  doc?: Topology;
  errors: LocatedError[];
}

export async function readTopologyFile(file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { ok: false, errors: [{ file, line: 0, column: 0, path: '', code: 'read-failed', severity: 'error', message: `cannot read: ${reason}` }] };
  }
  const { checkTopologyText } = await import('../../shared/validate/check');
  const r = checkTopologyText(text, file === '-' ? '<stdin>' : file);
  return { ok: r.ok, doc: r.doc, errors: r.errors };
}
