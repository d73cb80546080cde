/**
 * How to start the helper: its argv (Node running helper/main.ts through tsx),
 * for stdio or for connect-back, directly (already root) or behind an elevation
 * prefix (sudo, pkexec, or a sudo-prompt spawner that Electron passes to the
 * client). The packaged app points `entry` at its helper bundle (built by
 * vite.helper.config.ts, found by electron/helper-entry.ts) run on its own binary.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LaunchOptions {
  /** the Node binary (default: this process's) */
  node?: string;
  /** the helper entry (default: helper/main.ts beside this file) */
  entry?: string;
  /** extra argv before node, e.g. ['nsenter', '--net=/run/netns/X'] in tests, or ['sudo', '-n'] */
  wrap?: string[];
}

export const HELPER_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

/** tsx's loader, resolved from here so the helper starts from any working directory. */
function tsxImport(): string[] {
  const require = createRequire(import.meta.url);
  try {
    return ['--import', require.resolve('tsx')];
  } catch {
    return ['--import', 'tsx'];
  }
}

function base(opts: LaunchOptions): string[] {
  const entry = opts.entry ?? HELPER_ENTRY;
  const node = opts.node ?? process.execPath;
  return [...(opts.wrap ?? []), node, ...(entry.endsWith('.ts') ? tsxImport() : []), entry];
}

/** argv of a helper speaking on its stdin/stdout. */
export function stdioHelperArgv(opts: LaunchOptions = {}): string[] {
  return base(opts);
}

/** argv of a helper that connects back to `socket` and proves itself with the secret in `secretFile`. */
export function connectBackHelperArgv(socket: string, secretFile: string, opts: LaunchOptions = {}): string[] {
  return [...base(opts), '--connect', socket, '--secret-file', secretFile];
}

export const isRoot = () => process.getuid?.() === 0;
