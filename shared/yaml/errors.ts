/**
 * Errors about a topology file, located in it: every problem a person can fix names
 * the file, the line and column, the field path and what is wrong, in the form
 * editors and compilers use (`file:line:col: path: message`) so terminals link them.
 */

/** A path into the document, as zod and the yaml library both spell it. */
export type DocPath = readonly (string | number)[];

export type Severity = 'error' | 'warning';

export interface LocatedError {
  file: string;
  /** 1-based; 0 when the problem has no place in the text (e.g. an empty file). */
  line: number;
  /** 1-based. */
  column: number;
  /** Field path such as `veths[0].ends[1].name`; empty for the whole document. */
  path: string;
  message: string;
  /** Stable machine code, e.g. `yaml-syntax`, `schema-unknown-field`, `ifname-too-long`. */
  code: string;
  /** Warnings are shown but do not make a file invalid. */
  severity: Severity;
}

/** `veths[0].ends[1].name`: how people read a path. Keys that are not identifiers are quoted. */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `file:line:col: path: message` (warnings say so; the path is left out when empty). */
export function formatLocatedError(e: LocatedError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  const sev = e.severity === 'warning' ? 'warning: ' : '';
  return e.path ? `${where}: ${sev}${e.path}: ${e.message}` : `${where}: ${sev}${e.message}`;
}

export const hasErrors = (errors: readonly LocatedError[]) => errors.some((e) => e.severity === 'error');
