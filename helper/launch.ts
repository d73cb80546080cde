/**
 * How to start the helper: its argv (Node running the helper bundle, or
 * helper/main.ts through tsx when sources are asked for: ./code-location.ts),
 * for stdio or for connect-back, directly (already root) or behind an elevation
 * prefix (sudo, pkexec, or a sudo-prompt spawner that Electron passes to the
 * client). The packaged app points `entry` at its helper bundle (built by
 * vite.helper.config.ts, found by electron/helper-entry.ts) run on its own binary.
 */
import { createRequire } from 'node:module';
import { helperProgram } from './code-location';
import { withTrust } from './env-overrides';
import { CLIENT_CONFIRMS_FLAG, CONFIRM_FD_FLAG } from '../shared/protocol/confirmation';

export interface LaunchOptions {
  /** the Node binary (default: this process's) */
  node?: string;
  /** the helper entry (default: ./code-location.ts's helperProgram(): the bundle beside this code, or the checkout's) */
  entry?: string;
  /** extra argv before node, e.g. ['nsenter', '--net=/run/netns/X'] in tests, or ['sudo', '-n'] */
  wrap?: string[];
  /** run with HELPER_MEMORY_ENV and HELPER_NODE_FLAGS (default true); false = Node's and glibc's defaults (bench:watch compares the two) */
  lean?: boolean;
  /**
   * Who confirms what exposes the host (./confirm/gate.ts): `'client'` = we, who
   * hold its pipes, ask our person ourselves (Electron main, a root CLI); a
   * number = the fd of our channel to it (the root supervisor of `sudo serve`);
   * unset = nobody (those requests are refused).
   */
  confirm?: 'client' | number;
}

const confirmArgs = (c: LaunchOptions['confirm']): string[] =>
  c === 'client' ? [CLIENT_CONFIRMS_FLAG] : typeof c === 'number' ? [CONFIRM_FD_FLAG, String(c)] : [];

/**
 * The helper's memory settings, as argv (they must survive sudo and pkexec, which
 * clear the environment). Watching 500 namespaces keeps ~14 MB of live heap, yet
 * with Node's and glibc's defaults the helper grew to ~130 MB: a 2 × 16 MB young
 * generation; each event's garbage left in the old generation until it had grown
 * several-fold; and malloc keeping freed memory, in an arena per V8 worker thread
 * and, once a big buffer (a resync's read, its JSON) was freed, below a raised
 * mmap threshold. A 1 MB semi-space, an old generation collected once it grew by
 * half, two arenas and a fixed 128 KB mmap threshold (big buffers go back to the
 * kernel when freed) keep it under 100 MB at the same latency (bench/watch.ts
 * measures both ways).
 */
export const HELPER_MEMORY_ENV = ['/usr/bin/env', 'MALLOC_ARENA_MAX=2', 'MALLOC_MMAP_THRESHOLD_=131072'];
export const HELPER_NODE_FLAGS = ['--max-semi-space-size=1', '--heap-growing-percent=50'];

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
  const entry = opts.entry ?? helperProgram();
  const node = opts.node ?? process.execPath;
  const lean = opts.lean !== false;
  // a helper started by a root process that was asked to trust its environment is asked too
  return withTrust([
    ...(opts.wrap ?? []),
    ...(lean ? HELPER_MEMORY_ENV : []),
    node,
    ...(lean ? HELPER_NODE_FLAGS : []),
    ...(entry.endsWith('.ts') ? tsxImport() : []),
    entry,
    ...confirmArgs(opts.confirm),
  ]);
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
