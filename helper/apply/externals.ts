/**
 * External namespaces (shared/model/external.ts) during a plan, apply or destroy:
 * everything in apply names namespaces by their /run/netns name, so each external
 * entry's namespace is given the entry's name for the duration of the call
 * (`ip netns attach NAME PID`, a bind mount of the holder's namespace file) and the
 * name is taken away again afterwards (`ip netns del NAME` removes only the name:
 * the namespace lives on through its own processes, and is never kept alive by
 * us once the call is over; a killed helper's names are written down in the state
 * dir and taken away by the next one's recovery: ./attach-names.ts). A name
 * already taken by another namespace is refused.
 * The namespace itself is never created or deleted: it is in no topology's record,
 * so plan marks any change to it `unmanaged` (refused unless allowed).
 */
import { statSync } from 'node:fs';
import { Topology } from '../../shared/model/schema';
import { readRecord } from '../ownership/topologies';
import { objectKey } from '../../shared/model/ids';
import type { ExternalRef } from '../../shared/model/external';
import { findTargets } from '../discover/index';
import { NETNS_DIR } from '../discover/targets';
import { runProgram } from '../proc';
import { programPath } from '../programs';
import type { ApplyContext } from './context';
import { ApplyFailure, fail } from './failure';
import { noteAttaching, noteDetached } from './attach-names';

const inodeOf = (path: string): number | undefined => {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
};

/** The inode and a holder PID of the namespace `ref` points at. */
async function resolve(name: string, ref: ExternalRef): Promise<{ inode: number; pid: number }> {
  if ('pid' in ref) {
    const inode = inodeOf(`/proc/${ref.pid}/ns/net`);
    if (inode === undefined) fail('external-not-found', `namespace ${JSON.stringify(name)}: no process ${ref.pid}`);
    return { inode, pid: ref.pid };
  }
  const { targets } = await findTargets({ unnamed: true });
  const wanted = 'path' in ref ? inodeOf(ref.path) : undefined;
  if ('path' in ref && wanted === undefined) fail('external-not-found', `namespace ${JSON.stringify(name)}: no namespace file at ${ref.path}`);
  const t = targets.find((x) =>
    'path' in ref
      ? x.inode === wanted
      : !!x.identity?.containers?.some((c) => c.name === ref.container || (ref.container.length >= 12 && c.id.startsWith(ref.container))),
  );
  const pid = t?.holders?.[0]?.pid ?? t?.holder?.pid;
  if (!t || pid === undefined)
    fail(
      'external-not-found',
      `namespace ${JSON.stringify(name)}: ${'path' in ref ? `no process holds the namespace at ${ref.path}` : `no running container ${JSON.stringify(ref.container)}`}`,
    );
  return { inode: t.inode, pid };
}

/**
 * Run `fn` with every external namespace of `doc` reachable under its entry's name.
 * `gone: 'skip'` (destroy): an external namespace that no longer exists is left out
 * — its veths went with it, and nothing of ours is left in it to remove.
 */
export async function withExternals<T>(doc: Topology, ctx: ApplyContext, fn: () => Promise<T>, opts: { gone?: 'fail' | 'skip' } = {}): Promise<T> {
  const externals = doc.namespaces.filter((n) => n.external);
  if (!externals.length) return fn();
  const ip = (...args: string[]) => runProgram([...(ctx.wrap ?? []), programPath('ip'), ...args], { timeoutMs: 10_000 });
  const attached: string[] = [];
  try {
    for (const n of externals) {
      const found = await resolve(n.name, n.external!).catch((e: unknown) => {
        if (opts.gone === 'skip' && e instanceof ApplyFailure && e.code === 'external-not-found') return undefined;
        throw e;
      });
      if (!found) continue;
      const { inode, pid } = found;
      const have = inodeOf(`${NETNS_DIR}/${n.name}`);
      if (have === inode) continue; // already named so (by someone else): use it, leave it
      if (have !== undefined)
        fail('name-taken', `namespace ${JSON.stringify(n.name)} is external, but ${NETNS_DIR}/${n.name} is another namespace: rename the entry`);
      noteAttaching(ctx.stateDir, n.name, inode);
      const r = await ip('netns', 'attach', n.name, String(pid));
      if (r.code !== 0) noteDetached(ctx.stateDir, n.name);
      if (r.code !== 0) fail('external-not-found', `namespace ${JSON.stringify(n.name)}: ip netns attach failed: ${r.stderr.trim()}`);
      attached.push(n.name);
      if (inodeOf(`${NETNS_DIR}/${n.name}`) !== inode)
        fail('external-not-found', `namespace ${JSON.stringify(n.name)}: its process left while it was being attached`);
    }
    return await fn();
  } finally {
    for (const name of attached.reverse()) {
      const r = await ip('netns', 'del', name).catch(() => undefined);
      if (r?.code === 0) noteDetached(ctx.stateDir, name);
    }
  }
}

/** The document as the planner should take it: an external namespace's loopback is as found (it is not the document's to set). */
export function externalsAsFound(desired: Topology, observed: Topology): Topology {
  if (!desired.namespaces.some((n) => n.external)) return desired;
  const found = new Map(observed.namespaces.map((n) => [n.name, n]));
  return { ...desired, namespaces: desired.namespaces.map((n) => (n.external ? { ...n, loopback: found.get(n.name)?.loopback ?? n.loopback } : n)) };
}

/** Object keys of external namespaces (the namespace and its loopback): never the document's to claim. */
export function externalKeys(desired: Topology): Set<string> {
  return new Set(desired.namespaces.filter((n) => n.external).flatMap((n) => [objectKey.namespace(n.name), objectKey.loopback(n.name)]));
}

/**
 * The document last applied as `name`, when it has external entries: destroy by
 * name has no document of its own, and the veths in external namespaces are
 * removed from inside them (which needs their names meanwhile).
 */
export function recordedExternals(stateDir: string, name: string): Topology | undefined {
  const parsed = Topology.safeParse(readRecord(stateDir, name).document);
  return parsed.success && parsed.data.namespaces.some((n) => n.external) ? parsed.data : undefined;
}
