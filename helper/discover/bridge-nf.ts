/**
 * Bridge netfilter as each namespace has it: net.bridge.bridge-nf-call-iptables
 * and -ip6tables (per network namespace since Linux 5.3). Bridged traffic passes
 * that namespace's FORWARD chains only where they are 1. The files exist only
 * while br_netfilter is loaded; without it nothing bridged meets iptables, so
 * they read as 0. Read only in namespaces that hold a bridge (nothing else is
 * bridged there), as the namespace's owner like every other read.
 */
import type { ObservedNamespace } from '../../shared/model/observed';
import { runProgram } from '../proc';
import { programPath } from '../programs';
import { inNetnsOf } from './ns-owner';

const FILES = {
  'net.bridge.bridge-nf-call-iptables': '/proc/sys/net/bridge/bridge-nf-call-iptables',
  'net.bridge.bridge-nf-call-ip6tables': '/proc/sys/net/bridge/bridge-nf-call-ip6tables',
} as const;

/** Sets both sysctls on each namespace with a bridge; `paths` maps namespace name → its netns path. */
export async function readBridgeNf(namespaces: ObservedNamespace[], paths: ReadonlyMap<string, string>): Promise<void> {
  const bridged = namespaces.filter((n) => n.links.some((l) => l.kind === 'bridge') && paths.has(n.name));
  await Promise.all(
    bridged.map(async (n) => {
      for (const [key, file] of Object.entries(FILES)) {
        const r = await runProgram(await inNetnsOf(paths.get(n.name)!, [programPath('cat'), file]), { timeoutMs: 10_000 });
        // no such file: br_netfilter is not loaded, so bridged traffic skips iptables (a failure to enter the namespace leaves it unread)
        if (r.code === 0) n.sysctls[key] = r.stdout.trim() === '0' ? '0' : '1';
        else if (/No such file/.test(r.stderr)) n.sysctls[key] = '0';
      }
    }),
  );
}
