/**
 * The network as the reachability analysis sees it: one normalised shape built
 * either from a document (./from-document.ts, deriving what the kernel would add:
 * connected and local routes, the default policy rules, carrier from both veth
 * ends) or from the observed live host (./from-observed.ts). The walk
 * (./trace.ts) reads only this, so both sources give the same answers.
 *
 * Policy rules and routing tables are separate on purpose: a namespace holds an
 * ordered rule list per family and tables by id, the way the kernel looks up.
 *
 * Pure: no node:* imports.
 */
import type { Ip } from '../validate/ip';
import type { IptRule } from './iptables';
import type { NftChain } from '../model/observed';

export type Family = 4 | 6;

export interface NetAddr {
  ip: Ip;
  prefix: number;
  family: Family;
  /** `10.0.0.1/24` */
  cidr: string;
}

export interface NetLink {
  name: string;
  kind: 'veth' | 'bridge' | 'vrf' | 'loopback' | 'other';
  /** admin state (IFF_UP) */
  up: boolean;
  /** carrier: the link can pass frames (veth: both ends up; live: operstate UP/UNKNOWN) */
  carrier: boolean;
  /** operstate as the kernel reports it (live), or derived */
  oper: string;
  /** bridge or VRF this link is enslaved to */
  master?: string;
  addrs: NetAddr[];
  /** veth: the other end */
  peer?: { ns: string; name: string };
  /** vrf: its table */
  vrfTable?: number;
}

export type RouteType = 'unicast' | 'local' | 'broadcast' | 'blackhole' | 'unreachable' | 'prohibit' | 'other';

export interface NetRoute {
  family: Family;
  type: RouteType;
  /** destination network (default = prefix 0) */
  dst: Ip;
  prefix: number;
  via?: Ip;
  dev?: string;
  metric: number;
  table: number;
  src?: Ip;
  /** a multipath route's paths (two or more; its own via/dev are the first's): the walk follows each */
  nexthops?: { via?: Ip; dev?: string }[];
  /** as `ip route` would print it, for hops and reasons */
  text: string;
}

export interface NetRule {
  family: Family;
  priority: number;
  not?: boolean;
  from?: { ip: Ip; prefix: number };
  to?: { ip: Ip; prefix: number };
  iif?: string;
  oif?: string;
  /** lookup this table (action `lookup`) */
  table?: number;
  /** look up the VRF table of the packet's device */
  l3mdev?: boolean;
  /** `fwmark V/M`: selects packets whose mark & M == V (M omitted: all bits) */
  fwmark?: { value: number; mask: number };
  action: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit';
  /** a selector or action the analysis cannot evaluate (fwmark, uidrange…): quoted in an "unknown" */
  unknown?: string;
  text: string;
}

/** iptables filter table of a namespace: chain → policy and rules (user chains have no policy). */
export interface FilterTable {
  chains: Map<string, { policy?: 'ACCEPT' | 'DROP'; rules: IptRule[] }>;
}

export interface NetNs {
  name: string;
  links: Map<string, NetLink>;
  /** per family, ordered by priority */
  rules: Record<Family, NetRule[]>;
  /** table id → routes (255 local, 254 main) */
  tables: Map<number, NetRoute[]>;
  forwarding: Record<Family, boolean>;
  /** net.ipv4.conf.all.rp_filter: 0 off, 1 strict, 2 loose */
  rpFilter: 0 | 1 | 2;
  /** net.bridge.bridge-nf-call-iptables (bridged IPv4 passes FORWARD here) */
  bridgeNf: boolean;
  /** net.bridge.bridge-nf-call-ip6tables (bridged IPv6 passes ip6tables FORWARD here) */
  bridgeNf6: boolean;
  loopbackUp: boolean;
  /** nat table rules (PREROUTING/OUTPUT/POSTROUTING), in order */
  nat: IptRule[];
  /** iptables filter table; undefined = not read (live without it): treated as accept-all */
  filter?: FilterTable;
  /** ip6tables filter table, likewise */
  filter6?: FilterTable;
  /** base chains of native nftables tables (live, where nft is installed); undefined = not read */
  nft?: readonly NftChain[];
  /**
   * mangle table rules per family (they may set the mark fwmark rules select on); undefined =
   * not read, so a fwmark rule that could apply is "unknown". A document sets no marks: [].
   */
  mangle: Record<Family, IptRule[] | undefined>;
  /** normalised address → link holding it (every address of the namespace) */
  local: Map<string, NetLink>;
}

/**
 * The whole network. Never changed once built (netOfDocument / netOfObserved hand it out frozen in
 * type): the walk caches per namespace what does not change (route lookups by destination, layer-2
 * segments), so a changed network is a new Net (see withNamespace).
 */
export interface Net {
  readonly namespaces: ReadonlyMap<string, Readonly<NetNs>>;
  /** where the facts came from: wording of reasons and fixes depends on it */
  readonly source: 'document' | 'live';
}

/** A new Net with one namespace's facts changed (e.g. a filter table read again); the old one stays as it was. */
export function withNamespace(net: Net, name: string, change: Partial<NetNs>): Net {
  const old = net.namespaces.get(name);
  if (!old) return net;
  return { source: net.source, namespaces: new Map([...net.namespaces, [name, { ...old, ...change }]]) };
}

/** Cached strings ride on the address object itself (a WeakMap of millions of entries costs more than the work). */
interface Cached {
  nssKey?: string;
  nssText?: string;
}

/** The key an address is found by in `local` (IPv6 written one way); cached, a matrix asks millions of times. */
export function ipKey(ip: Ip): string {
  const c = ip as Ip & Cached;
  return (c.nssKey ??= ip.toNormalizedString());
}

/** The address as `ip` prints it; cached like ipKey. */
export function ipText(ip: Ip): string {
  const c = ip as Ip & Cached;
  return (c.nssText ??= ip.toString());
}

/** The rules every namespace starts with (`ip rule` of a fresh namespace). */
export function defaultRules(family: Family): NetRule[] {
  return [
    { family, priority: 0, table: 255, action: 'lookup', text: '0: from all lookup local' },
    { family, priority: 32766, table: 254, action: 'lookup', text: '32766: from all lookup main' },
    ...(family === 4 ? [{ family, priority: 32767, table: 253, action: 'lookup' as const, text: '32767: from all lookup default' }] : []),
  ];
}
