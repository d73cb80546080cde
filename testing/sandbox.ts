/**
 * Kernel tests are guests on a shared machine. Each test works inside a sandbox:
 * a private namespace that plays the role of the scenario's `host`, plus named
 * namespaces that all carry a unique prefix. Nothing touches the real root
 * namespace (its eth0, routes, sysctls or firewall), and cleanup runs even when
 * the test fails.
 *
 *   await withSandbox('apply', async (sb) => {
 *     await sb.sh('ip netns add ' + sb.ns('ns1'));       // a prefixed namespace
 *     await sb.inHost(['ip', 'link', 'add', ...]);          // runs in the sandbox "host"
 *   });
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { run, runOk, type RunResult } from './run';
// kernel tests point root's helper at their own state through the environment
import './trust-env';

/** Why kernel tests cannot run here, or undefined when they can. Printed by callers that skip. */
export function kernelSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'kernel tests need root (network namespaces): run as root';
  if (!['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'].some((p) => existsSync(p))) return 'iproute2 (`ip`) is not installed';
  return undefined;
}

/** Short, unique, safe for namespace names: `nst<tag><4 hex>-`. */
export function uniquePrefix(tag: string): string {
  const clean = tag
    .replace(/[^a-z0-9]/gi, '')
    .slice(0, 8)
    .toLowerCase();
  return `nst${clean}${randomBytes(2).toString('hex')}-`;
}

export interface Sandbox {
  /** prefix every namespace of this test carries */
  prefix: string;
  /** the namespace that plays `host` */
  hostNs: string;
  /** prefixed name of a scenario namespace; `host` maps to the sandbox host namespace */
  ns(name: string): string;
  /** run argv inside the sandbox host namespace (nsenter: same mount namespace, so `ip netns add` inside is seen by all) */
  inHost(argv: string[], input?: string): Promise<RunResult>;
  /** run argv inside a (prefixed) namespace */
  inNs(name: string, argv: string[], input?: string): Promise<RunResult>;
  /** run a bash script inside the sandbox host namespace, with $P set to the prefix */
  bash(script: string): Promise<RunResult>;
  cleanup(): Promise<void>;
}

const live = new Set<Sandbox>();
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  // A test process killed by the runner still removes what it made.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const sb of live) cleanupSync(sb.prefix);
      process.exit(130);
    });
  }
  process.once('exit', () => {
    for (const sb of live) cleanupSync(sb.prefix);
  });
}

export async function createSandbox(tag: string): Promise<Sandbox> {
  hookExit();
  const prefix = uniquePrefix(tag);
  const hostNs = `${prefix}host`;
  await runOk(['ip', 'netns', 'add', hostNs]);
  await runOk(['ip', '-n', hostNs, 'link', 'set', 'dev', 'lo', 'up']);
  const ns = (name: string) => (name === 'host' ? hostNs : `${prefix}${name}`);
  const sb: Sandbox = {
    prefix,
    hostNs,
    ns,
    inHost: (argv, input) => run(['nsenter', `--net=/run/netns/${hostNs}`, ...argv], { input }),
    inNs: (name, argv, input) => run(['ip', 'netns', 'exec', ns(name), ...argv], { input }),
    bash: (script) => run(['nsenter', `--net=/run/netns/${hostNs}`, 'env', `P=${prefix}`, 'bash', '-euc', script]),
    cleanup: async () => {
      live.delete(sb);
      await cleanupPrefix(prefix);
    },
  };
  live.add(sb);
  return sb;
}

export async function withSandbox<T>(tag: string, fn: (sb: Sandbox) => Promise<T>): Promise<T> {
  const sb = await createSandbox(tag);
  try {
    return await fn(sb);
  } finally {
    await sb.cleanup();
  }
}

function prefixedNamespaces(prefix: string): string[] {
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Remove every namespace and /etc/netns entry carrying the prefix, killing processes inside first. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  for (const n of prefixedNamespaces(prefix)) {
    const pids = await run(['ip', 'netns', 'pids', n]);
    for (const pid of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    await run(['ip', 'netns', 'del', n]);
  }
  removeEtcNetns(prefix);
}

function cleanupSync(prefix: string) {
  // Synchronous fallback used from exit handlers.
  for (const n of prefixedNamespaces(prefix)) {
    const pids = spawnSync('ip', ['netns', 'pids', n], { encoding: 'utf8' }).stdout ?? '';
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    spawnSync('ip', ['netns', 'del', n]);
  }
  removeEtcNetns(prefix);
}

function removeEtcNetns(prefix: string) {
  try {
    for (const d of readdirSync('/etc/netns')) if (d.startsWith(prefix)) rmSync(`/etc/netns/${d}`, { recursive: true, force: true });
  } catch {
    /* no /etc/netns */
  }
}
