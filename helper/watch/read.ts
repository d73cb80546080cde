/**
 * Re-reading a few namespaces while the rest stay as they were. The kernel read
 * is discover's own (helper/discover: the netlink reader, readIp, readNat,
 * parseNamespace); the veth peers are resolved afterwards by ./peers.ts.
 */
import { readFileSync } from 'node:fs';
import { HOST_NS } from '../../shared/model/schema';
import { natLines } from '../discover/nat';
import { parseNamespace, type ParsedNamespace } from '../discover/parse';
import { perlAvailable, readNetlink, type NetlinkRead } from '../discover/netlink';
import { readIp, readNat } from '../discover/read';
import type { Target } from '../discover/targets';
import { runProgram } from '../proc';
import { programPath } from '../programs';
import { envSetting } from '../env-overrides';
import { inNetnsOf } from '../discover/ns-owner';

export interface FreshRead {
  /** what was read (peers still pending); namespaces that vanished are missing */
  parsed: ParsedNamespace[];
  /** names whose NAT table still has to be read (`iptables-save`): `natLines` left unset */
  natPending: Set<string>;
}

/**
 * Read these namespaces' kernel facts, the way discover does: the long-lived perl
 * rtnetlink reader (../discover/netlink.ts: no process started per read), `ip -j
 * -batch` for what it could not read. NAT: a namespace without a nat table has
 * none (no process); otherwise `iptables-save` runs now when `natNow`, or the
 * name is returned in `natPending` for a later, quieter round. `reader`: which
 * long-lived netlink reader (../discover/netlink.ts; each serves its reads in turn).
 */
export async function readFresh(targets: Target[], opts: { nat?: boolean; natNow?: boolean; reader?: number } = {}): Promise<FreshRead> {
  const paths = targets.map((t) => t.path);
  const fastOk = perlAvailable() && envSetting('NETNS_STUDIO_DISCOVER_READER') !== 'ip';
  const fast =
    fastOk && paths.length ? await readNetlink(paths, 1, opts.reader ?? 0).catch(() => new Map<string, NetlinkRead>()) : new Map<string, NetlinkRead>();
  const wantNat = opts.nat !== false;
  const natPaths = wantNat ? paths.filter((p) => fast.get(p)?.hasNat !== false) : [];
  const [slow, nat] = await Promise.all([
    readIp(paths.filter((p) => !fast.has(p))),
    opts.natNow && natPaths.length ? readNat(natPaths) : Promise.resolve(new Map<string, string>()),
  ]);
  const parsed: ParsedNamespace[] = [];
  const natPending = new Set<string>();
  for (const t of targets) {
    const f = fast.get(t.path);
    const raw = f?.raw ?? slow.get(t.path);
    if (!raw) continue;
    const p = parseNamespace(t, raw);
    if (wantNat) {
      const block = f?.hasNat === false ? '' : nat.get(t.path);
      if (block !== undefined) p.ns.natLines = natLines(block);
      else natPending.add(t.name);
    }
    if (t.named && t.name !== HOST_NS) {
      try {
        p.ns.resolvConf = readFileSync(`/etc/netns/${t.name}/resolv.conf`, 'utf8');
      } catch {
        /* none */
      }
    }
    parsed.push(p);
  }
  return { parsed, natPending };
}

/** nsid → namespace inode as seen inside the namespace at `path` (`ip netns list-id`: slow, scans /run/netns per id; only for ambiguous peers). */
export async function listIdsIn(path: string, inodeOfName: (name: string) => number | undefined): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const r = await runProgram(await inNetnsOf(path, [programPath('ip'), '-j', 'netns', 'list-id']), { timeoutMs: 10_000 });
  if (r.code !== 0) return out;
  for (const e of JSON.parse(r.stdout || '[]') as { nsid: number; name?: string }[]) {
    const inode = e.name ? inodeOfName(e.name) : undefined;
    if (inode !== undefined) out.set(e.nsid, inode);
  }
  return out;
}
