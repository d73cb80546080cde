/**
 * The helper started directly over stdio (we are root already). Placeholder until
 * helper/client.ts lands: reports the helper as unavailable with the reason.
 */
import type { HelperLink } from './helper-link';
import { unavailableHelperLink } from './helper-link';

/** False while this is the placeholder; the e2e tests that need the helper skip, saying so. */
export const STDIO_HELPER_READY = false;

export interface StdioHelperOptions {
  /** argv prefix for the helper process (tests: nsenter into a sandbox) */
  wrap?: string[];
}

export function createStdioHelperLink(_opts: StdioHelperOptions = {}): HelperLink {
  return unavailableHelperLink('the helper is not built yet');
}
