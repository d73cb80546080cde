/**
 * The helper elevated through a graphical prompt, connecting back over a private
 * Unix socket. Placeholder until helper/'s connect-back transport lands: reports
 * that elevation is not available yet; the editor works regardless.
 */
import type { HelperLink } from '../server/helper-link';
import { unavailableHelperLink } from '../server/helper-link';

export interface ElevatedHelperOptions {
  appDir: string;
}

export function createElevatedHelperLink(_opts: ElevatedHelperOptions): HelperLink {
  return unavailableHelperLink('starting the helper with a password prompt is not available yet; run the app as root for live features');
}
