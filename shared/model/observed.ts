/**
 * The observed host: what the helper read from the kernel, with the runtime facts
 * a document never holds (ifindex, MAC, oper state, counters, nsids, unnamed
 * namespaces, raw NAT lines). Read-only for everyone but the helper's discover.
 * Kept apart from the document (./schema.ts) and from UI session state.
 *
 * Pure: no node:* imports.
 */

export const LINK_KINDS = ['veth', 'bridge', 'vrf', 'vxlan', 'tap', 'physical', 'loopback', 'other'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface ObservedAddress {
  /** `10.0.0.1/24` */
  cidr: string;
  family: 4 | 6;
  scope: string;
}

export interface ObservedPeer {
  /** namespace name as reported (`host`, a named namespace, or `pid:1234` for unnamed); absent when not read */
  namespace?: string;
  ifindex: number;
  name?: string;
  /** nsid of the peer's namespace as seen from this link's namespace */
  nsid?: number;
}

export interface ObservedLink {
  ifindex: number;
  name: string;
  kind: LinkKind;
  /** the kernel's kind string (`veth`, `bridge`, `ipip`…) or link type when it has none */
  rawKind: string;
  up: boolean;
  /** operstate: UP, DOWN, UNKNOWN, LOWERLAYERDOWN… */
  oper: string;
  mtu: number;
  mac?: string;
  master?: string;
  alias?: string;
  /** veth only: the other end, wherever it is */
  peer?: ObservedPeer;
  /** vrf only */
  vrfTable?: number;
  addresses: ObservedAddress[];
  stats?: { rxBytes: number; txBytes: number; rxPackets: number; txPackets: number };
}

export interface ObservedRoute {
  family: 4 | 6;
  /** unicast, local, broadcast, blackhole… */
  type: string;
  /** `default` or a prefix */
  dst: string;
  via?: string;
  dev?: string;
  /** table id (254 = main, 255 = local) */
  table: number;
  /** kernel, boot, static, dhcp, ra, … or the number */
  protocol: string;
  scope?: string;
  metric?: number;
  src?: string;
}

export interface ObservedRule {
  family: 4 | 6;
  priority: number;
  /** table name or id as the kernel names it (local, main, default, 100) */
  table?: string;
  /** the rule as `ip rule` prints it, for display */
  text: string;
}

export interface ObservedNamespace {
  /** `host`, the /run/netns name, or `pid:PID` for an unnamed namespace */
  name: string;
  /** the namespace file's inode (identity; deduplicates /proc/PID/ns/net) */
  inode: number;
  /** unnamed namespaces: one process holding it */
  holder?: { pid: number; comm: string };
  /** true for named namespaces (they may go in a document) */
  named: boolean;
  /** nsid → namespace name, as seen from inside this namespace (only ids that were resolved) */
  nsids: Record<string, string>;
  links: ObservedLink[];
  routes: ObservedRoute[];
  rules: ObservedRule[];
  /** net.ipv4.ip_forward, net.ipv6.conf.all.forwarding, net.ipv4.conf.all.rp_filter (as sysctl prints them) */
  sysctls: Record<string, string>;
  /** `iptables-save -t nat` rule lines (`-A …`); undefined when not read */
  natLines?: string[];
  /** `iptables-save -t filter` lines (`:CHAIN POLICY …` and `-A …`); undefined when not read (discover `filter: true`) */
  filterLines?: string[];
  /** /etc/netns/NAME/resolv.conf, when present */
  resolvConf?: string;
  /** what could not be read or represented, for people */
  warnings: string[];
}

export interface ObservedHost {
  /** ms since epoch when the read began */
  readAt: number;
  /** how long the read took */
  durationMs: number;
  namespaces: ObservedNamespace[];
  /** problems not tied to one namespace */
  warnings: string[];
}
