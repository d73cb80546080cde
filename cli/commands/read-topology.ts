/**
 * Reads and fully checks a topology file for the CLI (YAML, apiVersion,
 * schema, semantic rules). Problems come back located, ready to print.
 */
import { readFileSync } from 'node:fs';
import type { Topology } from '../../shared/model/schema';
import { formatLocatedError, type LocatedError } from '../../shared/yaml/errors';

export interface ReadResult {
  ok: boolean;
  doc?: Topology;
  errors: LocatedError[];
}

/** Plain words for the read errors people hit (a typo, a folder, a root-only file) instead of Node's errno text. */
export function readFailureReason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a directory; give the topology file (e.g. DIR/topology.yaml)';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return e.message;
  }
}

/** One line per problem: `file:line:col: path: message`, or `file: message` when there is no position (the file could not be read). */
export function formatReadError(e: LocatedError): string {
  return e.line ? formatLocatedError(e) : `${e.file}: ${e.message}`;
}

export async function readTopologyFile(file: string): Promise<ReadResult> {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    const reason = readFailureReason(e as NodeJS.ErrnoException);
    return { ok: false, errors: [{ file, line: 0, column: 0, path: '', code: 'read-failed', severity: 'error', message: `cannot read: ${reason}` }] };
  }
  const { checkTopologyText } = await import('../../shared/validate/check');
  const r = checkTopologyText(text, file === '-' ? '<stdin>' : file);
  return { ok: r.ok, doc: r.doc, errors: r.errors };
}
