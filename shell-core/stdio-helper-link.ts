/**
 * The helper started directly over stdio (we are root already): `netns-studio
 * serve` as root, and the desktop app run as root. Tests pass `wrap` (nsenter into
 * a sandbox) so the helper sees the sandbox as `host`.
 */
import { startStdioHelper } from '../helper/client';
import type { HelperLink } from './helper-link';
import { createClientHelperLink } from './client-helper-link';

/** The e2e tests that need the helper run only when this is true. */
export const STDIO_HELPER_READY = true;

export interface StdioHelperOptions {
  /** argv prefix for the helper process (tests: nsenter into a sandbox) */
  wrap?: string[];
  /** the helper's entry (a packaged app's bundle); default helper/launch.ts's (helper/code-location.ts: the bundle) */
  entry?: string;
  /** show only namespaces whose name starts with this (`serve --only-prefix`) */
  onlyPrefix?: string;
  /** environment of the helper process (default: ours) */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** restart delay after an unexpected death (tests shorten it) */
  restartDelayMs?: number;
  /** who confirms what exposes the host (helper/launch.ts LaunchOptions.confirm); unset: nobody */
  confirm?: 'client';
}

export function createStdioHelperLink(opts: StdioHelperOptions = {}): HelperLink {
  let stderrTail = '';
  return createClientHelperLink({
    transport: 'stdio',
    scope: opts.onlyPrefix ? { onlyPrefix: opts.onlyPrefix } : undefined,
    restartDelayMs: opts.restartDelayMs,
    log: opts.log,
    start: () =>
      startStdioHelper({
        wrap: opts.wrap,
        entry: opts.entry,
        env: opts.env,
        confirm: opts.confirm,
        // the helper's diagnostics go to our stderr, a line at a time
        onStderr: (t) => {
          stderrTail += t;
          const lines = stderrTail.split('\n');
          stderrTail = lines.pop() ?? '';
          for (const l of lines) if (l) (opts.log ?? ((x: string) => process.stderr.write(x + '\n')))(l);
        },
      }),
  });
}
