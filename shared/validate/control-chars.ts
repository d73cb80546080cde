/**
 * Control characters, defined once: C0 (U+0000–U+001F) and DEL (U+007F).
 *
 * Pure and dependency-free (no zod, no node:*, no DOM): helper/discover imports it and stays zod-free.
 * The patterns are built from strings so eslint's no-control-regex does not flag the literal ranges.
 */

const C0_DEL = '\\u0000-\\u001f\\u007f';
/** C0 without tab (U+0009) and newline (U+000A), plus DEL: what free multi-line text may not hold. */
const C0_DEL_BUT_TAB_NEWLINE = '\\u0000-\\u0008\\u000b-\\u001f\\u007f';

/** Matches any control character (C0 or DEL). */
export const CONTROL_CHAR = new RegExp(`[${C0_DEL}]`);

/** A whole string that is non-empty and holds no control character (for zod's `.regex`). */
export const NO_CONTROL_CHARS = new RegExp(`^[^${C0_DEL}]+$`);

/** Matches any control character other than tab and newline. */
export const CONTROL_CHAR_BUT_TAB_NEWLINE = new RegExp(`[${C0_DEL_BUT_TAB_NEWLINE}]`);

/** Does `s` hold a control character (C0 or DEL)? */
export const hasControlChars = (s: string): boolean => CONTROL_CHAR.test(s);

/** Does `s` hold a control character other than tab and newline? */
export const hasControlCharsButTabNewline = (s: string): boolean => CONTROL_CHAR_BUT_TAB_NEWLINE.test(s);
