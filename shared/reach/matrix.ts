/**
 * The reachability matrix: every namespace pinging every address of every other
 * namespace (loopback and IPv6 link-local left out: each namespace has its own).
 * And `why FROM TO` where TO may name a namespace: its first address.
 *
 * Pure: no node:* imports.
 */
import { parseIp, type Ip } from '../validate/ip';
import type { Net, NetNs } from './net';
import type { ReachResult } from './result';
import { trace, type TraceOptions } from './trace';

export interface Target {
  ns: string;
  address: string;
}

/** The addresses a namespace can be pinged at from elsewhere. */
export function addressesOf(ns: NetNs): string[] {
  const out: string[] = [];
  for (const l of ns.links.values()) {
    if (l.kind === 'loopback') continue;
    for (const a of l.addrs) if (!(a.family === 6 && a.ip.range() === 'linkLocal') && !out.includes(a.ip.toString())) out.push(a.ip.toString());
  }
  return out;
}

export function matrixTargets(net: Net): { from: string; to: string; toNs: string }[] {
  const pairs: { from: string; to: string; toNs: string }[] = [];
  const names = [...net.namespaces.keys()];
  const addrs = new Map(names.map((n) => [n, addressesOf(net.namespaces.get(n)!)]));
  for (const from of names) for (const to of names) if (to !== from) for (const a of addrs.get(to)!) pairs.push({ from, to: a, toNs: to });
  return pairs;
}

export function reachMatrix(net: Net, opts: TraceOptions = {}): ReachResult[] {
  const parsed = new Map<string, Ip | undefined>();
  const ipOf = (a: string) => {
    if (!parsed.has(a)) parsed.set(a, parseIp(a) ?? undefined);
    return parsed.get(a);
  };
  return matrixTargets(net).map((p) => trace(net, p.from, p.to, p.toNs, { ...opts, dstIp: ipOf(p.to) }));
}

/** TO as an address: itself, or the first address of the namespace it names (IPv4 first). */
export function resolveTarget(net: Net, to: string): string | undefined {
  if (parseIp(to)) return to;
  const ns = net.namespaces.get(to);
  if (!ns) return undefined;
  const a = addressesOf(ns);
  return a.find((x) => !x.includes(':')) ?? a[0];
}
