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
  /** IPv6 duplicate address detection has not finished: the address cannot be used yet */
  tentative?: true;
  /** IPv6 duplicate address detection found the address in use elsewhere on the link: it stays unusable */
  dadFailed?: true;
  /** added with `nodad`: usable at once, never checked */
  nodad?: true;
}

export interface ObservedPeer {
  /** namespace name as reported (`host`, a named namespace, or `inode:N` for unnamed); absent when not read */
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
  /** the lower layer is up (LOWER_UP: a veth whose peer is up, a bridge with a forwarding port) */
  carrier: boolean;
  /** a bridge port's STP state: disabled, listening, learning, forwarding, blocking */
  portState?: string;
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
  /** the gateway is taken as on `dev` whatever the subnets say */
  onlink?: true;
  /** a multipath route's paths (no via/dev of its own then) */
  nexthops?: ObservedNexthop[];
}

export interface ObservedNexthop {
  via?: string;
  dev?: string;
  weight: number;
  onlink?: true;
}

export interface ObservedRule {
  family: 4 | 6;
  priority: number;
  /** table name or id as the kernel names it (local, main, default, 100) */
  table?: string;
  /** the table's number, when the rule looks one up */
  tableId?: number;
  /** `from`/`to` prefixes, with their length (absent: all) */
  from?: string;
  to?: string;
  iif?: string;
  oif?: string;
  fwmark?: number;
  /** absent: all bits */
  fwmask?: number;
  /** blackhole, unreachable, prohibit, goto, nop… as the kernel says; absent: lookup (to_tbl) */
  action?: string;
  /** VRF's rule: look up the table of the interface's l3mdev */
  l3mdev?: true;
  /** `not`: the selector is inverted */
  not?: true;
  /**
   * what else the rule matches or does, in `ip rule` words, that a document has
   * no field for (tos 0x10, goto 20, nop, suppress_prefixlength 0, ipproto tcp,
   * sport/dport/uidrange, realms, tun_id…): discover leaves such a rule out of the
   * document and says so, rather than write a wider rule
   */
  unsaid?: string[];
  /** the rule as `ip rule` prints it, for display */
  text: string;
}

export interface ObservedNamespace {
  /** `host`, the /run/netns name, or `inode:N` for an unnamed namespace (its namespace file's inode: stable while it lives, whoever holds it) */
  name: string;
  /** the namespace file's inode (identity; deduplicates /proc/PID/ns/net) */
  inode: number;
  /** unnamed namespaces: the lowest-numbered process holding it (kept for older readers; see `holders`) */
  holder?: { pid: number; comm: string };
  /** every process whose network namespace this is (read with `unnamed`; not listed for `host`) */
  holders?: NamespaceHolder[];
  /** bind mounts of the namespace file outside /run/netns (nsfs entries of the mount table), e.g. /run/docker/netns/… */
  mounts?: string[];
  /** who this namespace belongs to, from the best source found (container runtime, Mininet, nspawn, else the process) */
  identity?: NamespaceIdentity;
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
  /** `ip6tables-save -t filter` lines, likewise */
  filter6Lines?: string[];
  /** `iptables-save -t mangle` lines (marks for fwmark rules); read with `filter: true` where an IPv4 fwmark rule exists */
  mangleLines?: string[];
  /** `ip6tables-save -t mangle` lines, likewise for IPv6 fwmark rules */
  mangle6Lines?: string[];
  /** base chains of native nftables tables (`nft -j list ruleset`, not iptables-nft's own); read with `filter: true` where nft is installed */
  nftChains?: NftChain[];
  /** /etc/netns/NAME/resolv.conf, when present */
  resolvConf?: string;
  /** what could not be read or represented, for people */
  warnings: string[];
}

export interface NamespaceHolder {
  pid: number;
  /** /proc/PID/comm */
  comm: string;
}

/** Where a namespace's label came from, best first. */
export const IDENTITY_SOURCES = ['docker', 'podman', 'kubernetes', 'mininet', 'nspawn', 'process', 'mount'] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

export interface ContainerNetwork {
  /** the runtime's network name (`bridge`, a user network) */
  name: string;
  /** `172.17.0.2/16` when the runtime reports one */
  address?: string;
  mac?: string;
}

export interface ObservedContainer {
  runtime: 'docker' | 'podman';
  /** full id (64 hex) */
  id: string;
  /** name without the leading `/` */
  name: string;
  /** the networks it is attached to; empty for `--network none`, absent when it shares another container's */
  networks: ContainerNetwork[];
  /** `--network container:X`: the container whose namespace it joined (name when known, else id) */
  sharesWith?: string;
  /** `host:container` pairs as published (`8080:80/tcp`) */
  ports?: string[];
}

export interface NamespaceIdentity {
  source: IdentitySource;
  /** what a person calls it: `docker web`, `pod default/nginx`, `mininet h1`, `machine deb1`, `sleep 1234` */
  label: string;
  /** containers sharing this namespace (Docker/Podman), the one that owns it first */
  containers?: ObservedContainer[];
  /** Kubernetes pod (CRI labels or annotations) */
  pod?: { namespace: string; name: string };
  /** Mininet host name (`h1`) */
  mininetHost?: string;
  /** systemd-nspawn machine name */
  machine?: string;
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

/** One base chain (hooked) of a native nftables table, as reachability needs it. */
export interface NftChain {
  /** ip, ip6, inet, bridge, netdev, arp */
  family: string;
  table: string;
  name: string;
  hook: string;
  policy: 'accept' | 'drop';
  /** each rule: a plain (unconditional) verdict, or none when it has matches the analysis does not evaluate */
  rules: { verdict?: 'accept' | 'drop'; text: string }[];
}
