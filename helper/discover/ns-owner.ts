/**
 * Programs run inside a namespace that an unprivileged user owns (issue 15). A
 * network namespace made by `unshare -Urn` (then kept by a bind mount, or by a
 * container runtime's rootless mode) belongs to a user namespace of that user:
 * `nsenter --net` alone would run root's `iptables-save` or `ip` there with all
 * of root's capabilities, parsing whatever that user wrote. Such namespaces are
 * entered through their owning user namespace first (./ns-owner.pl `--exec`:
 * nsenter --user=OWNER --net=PATH), so the program has the owner's capabilities
 * there and nothing more, and still reads what the owner can (its NAT table).
 * Which namespaces are foreign is asked with one perl process for all of a read's.
 * The fast netlink reader (./nl-dump.pl) is our own code reading rtnetlink and
 * runs no program there.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../proc';
import { hasProgram, programPath } from '../programs';
import { HOST_NS } from '../../shared/model/constants';

export const NS_OWNER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'ns-owner.pl');

/**
 * The paths (of those given) whose namespace another user namespace owns: asked
 * each time, in one process (a namespace's inode is reused once it is gone, so
 * an answer cached by inode could vouch for a new, foreign namespace).
 */
export async function foreignOwned(paths: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  // without perl (or a bundle without the script) ownership cannot be asked: plain nsenter, as before
  if (!paths.length || !hasProgram('perl') || !existsSync(NS_OWNER_SCRIPT)) return out;
  const r = await runProgram([programPath('perl'), NS_OWNER_SCRIPT, '--list'], { input: paths.join('\0') + '\0', timeoutMs: 30_000 });
  const answered = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) answered.set(line.slice(tab + 1), line.slice(0, tab));
  }
  // no answer (perl missing or failed): foreign, so the program goes through --exec, which checks again itself
  for (const p of paths) if (answered.get(p) !== 'own' && answered.get(p) !== 'gone') out.add(p);
  return out;
}

/** argv running `tool` inside the namespace at `path`; `foreign`: through its owner (see above). */
export function inNetns(path: string, tool: readonly string[], foreign: boolean): string[] {
  return foreign ? [programPath('perl'), NS_OWNER_SCRIPT, '--exec', programPath('nsenter'), path, ...tool] : [programPath('nsenter'), `--net=${path}`, ...tool];
}

/**
 * argv prefix running a program in the namespace named `ns` (/run/netns/NS;
 * `host` is ours: nothing to enter), for the link tools, pings and forwarder
 * agents: always through `ns-owner.pl --exec`, which looks at the very file it
 * opens and enters one an unprivileged user owns as that owner (no window
 * between asking and entering). Without perl: plain nsenter, as before.
 */
export function enterNamed(ns: string): string[] {
  if (ns === HOST_NS) return [];
  const path = `/run/netns/${ns}`;
  return inNetns(path, [], hasProgram('perl') && existsSync(NS_OWNER_SCRIPT));
}

/** `inNetns` for one path, asking who owns it. */
export async function inNetnsOf(path: string, tool: readonly string[]): Promise<string[]> {
  return inNetns(path, tool, (await foreignOwned([path])).has(path));
}
