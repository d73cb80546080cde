/**
 * Real pings for reachability checks, run by the helper: `ping` inside a named
 * namespace (through nsenter, both by absolute path, argument arrays only), to
 * an address that some namespace on this host holds (checked against a fresh
 * discover: the helper never pings out of the host). Bounded: at most
 * MAX_PINGS per request, count ≤ 3, a timeout per ping (the process is killed
 * past it), a few parallel lanes.
 */
import { existsSync } from 'node:fs';
import type { ObservedHost } from '../../shared/model/observed';
import { HOST_NS } from '../../shared/model/schema';
import { parseIp } from '../../shared/validate/ip';
import { mapLimit, runProgram } from '../proc';
import { enterNamed } from '../discover/ns-owner';
import { MAX_LANES, MAX_PINGS, type PingOutcome } from '../../shared/protocol/methods';

export { MAX_LANES, MAX_PINGS };
export type { PingOutcome };

export interface PingRequest {
  from: string;
  to: string;
  count: number;
  timeoutMs: number;
}

const firstExisting = (paths: string[]) => paths.find((p) => existsSync(p));

export function pingPrograms(): { ping: string; nsenter: string } | undefined {
  const ping = firstExisting(['/usr/bin/ping', '/bin/ping', '/usr/sbin/ping', '/sbin/ping']);
  const nsenter = firstExisting(['/usr/bin/nsenter', '/bin/nsenter', '/usr/sbin/nsenter']);
  return ping && nsenter ? { ping, nsenter } : undefined;
}

/** Why each request may not run (empty: all may): the namespace must exist, the address must live on this host. */
export function refusals(reqs: PingRequest[], host: ObservedHost): string[] {
  const named = new Set(host.namespaces.filter((n) => n.named).map((n) => n.name));
  const held = new Set<string>();
  for (const n of host.namespaces) for (const l of n.links) for (const a of l.addresses) held.add(parseIp(a.cidr.split('/')[0])?.toNormalizedString() ?? '');
  const out: string[] = [];
  for (const r of reqs) {
    const ip = parseIp(r.to);
    if (!named.has(r.from)) out.push(`${r.from}: no such named namespace on this host`);
    else if (!ip) out.push(`${r.to}: not an IP address`);
    else if (ip.range() === 'loopback' ? false : !held.has(ip.toNormalizedString()))
      out.push(`${r.to}: no namespace on this host holds it; the helper pings only addresses inside this host`);
  }
  return out;
}

/** `onDone` hears each finished ping (progress), in the order they finish. */
export async function runPings(
  reqs: PingRequest[],
  opts: { lanes: number; wrap?: string[]; onDone?: (done: number, total: number) => void },
): Promise<PingOutcome[]> {
  let done = 0;
  const prog = pingPrograms();
  if (!prog) throw new Error('ping or nsenter is not installed (Debian: apt-get install iputils-ping util-linux)');
  return mapLimit(reqs, Math.min(MAX_LANES, Math.max(1, opts.lanes)), async (r) => {
    const wait = Math.max(1, Math.ceil(r.timeoutMs / 1000));
    const ping = [prog.ping, '-n', '-q', '-c', String(r.count), '-i', '0.2', '-W', String(wait), r.to];
    // a namespace an unprivileged user owns is entered as that owner (../discover/ns-owner.ts)
    const argv = r.from === HOST_NS ? ping : [...enterNamed(r.from), ...ping];
    const res = await runProgram(argv, { wrap: opts.wrap, timeoutMs: wait * 1000 + r.count * 200 + 1000 });
    const received = Number(/(\d+) (?:packets )?received/.exec(res.stdout)?.[1] ?? 0);
    const out: PingOutcome = { from: r.from, to: r.to, ok: res.code === 0 && received > 0, received };
    const err = res.stderr.trim();
    if (err) out.error = err.split('\n')[0].slice(0, 300);
    opts.onDone?.(++done, reqs.length);
    return out;
  });
}
