import type { DocPath, Severity } from '../yaml/errors';

/** One problem found by a semantic rule; `path` finds its line and column in the YAML. */
export interface ValidationIssue {
  code: string;
  message: string;
  path: DocPath;
  severity: Severity;
}

export const issue = (code: string, path: DocPath, message: string, severity: Severity = 'error'): ValidationIssue => ({ code, path, message, severity });

/** `JSON.stringify` for names in messages: shows hidden characters (`"a\nb"`). */
export const q = (s: string) => JSON.stringify(s);
