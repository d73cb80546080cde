/**
 * The topology document: the one source of truth for what a person wants on a host.
 * Plain data, validated by this zod schema (the JSON Schema for editors is generated
 * from it). Structure lives here; rules that need the whole document (names the
 * kernel would refuse, references, overlaps) live in ../validate/.
 *
 * Three scopes stay apart: this document (saved to file), the observed host
 * (./observed.ts, read-only runtime facts) and UI session state (renderer only).
 */
import { z } from 'zod';
import { ExternalRef } from './external';

import { API_VERSION, HOST_NS, KIND, SYSCTL_KEYS } from './constants';

export { API_VERSION, HOST_NS, KIND, SYSCTL_KEYS } from './constants';

/** An IPv4 or IPv6 address with prefix length, as `ip addr` takes it: `10.0.0.1/24`. */
export const CidrAddress = z.string().describe('IPv4/IPv6 address with prefix length, e.g. 10.0.0.1/24');
/** A bare IP address (gateway, nameserver, forwarder ends). */
export const IpAddress = z.string().describe('IPv4 or IPv6 address');
export const NamespaceName = z.string().describe(`network namespace name (${HOST_NS} = the root namespace)`);
export const InterfaceName = z.string().describe('interface name (at most 15 bytes)');
export const Port = z.number().int().min(1).max(65535);

export const VethEnd = z.strictObject({
  namespace: NamespaceName,
  name: InterfaceName,
  addresses: z.array(CidrAddress).default([]),
  mtu: z.number().int().min(68).max(65535).optional().describe('omitted = kernel default (1500)'),
  up: z.boolean().default(true),
  master: InterfaceName.optional().describe('a bridge or VRF in the same namespace'),
});

export const Veth = z.strictObject({
  ends: z.tuple([VethEnd, VethEnd]),
});

export const Bridge = z.strictObject({
  name: InterfaceName,
  namespace: NamespaceName,
  addresses: z.array(CidrAddress).default([]),
  mtu: z.number().int().min(68).max(65535).optional(),
  up: z.boolean().default(true),
  master: InterfaceName.optional().describe('a VRF in the same namespace'),
  acceptForward: z
    .boolean()
    .optional()
    .describe(
      'add an iptables FORWARD rule accepting the traffic bridged on this bridge (owned by netns-studio, removed on destroy): needed where bridge netfilter is on and the FORWARD policy is DROP, as Docker sets it on its host',
    ),
});

const U32 = 4294967295;

/**
 * A routing table: a number, or a name. Names are the kernel's own (`main` 254,
 * `local` 255, `default` 253) or one of the namespace's `tables`; the planner
 * spells every table as its number, so nothing depends on the host's rt_tables.
 */
export const TableRef = z
  .union([z.number().int().min(1).max(U32), z.string()])
  .describe("table number, or a name: main, local, default or one of the namespace's `tables`");

/** One path of a multipath route (`nexthop via A dev D weight W [onlink]`). */
export const Nexthop = z.strictObject({
  via: IpAddress.optional(),
  dev: InterfaceName.optional(),
  weight: z.number().int().min(1).max(256).optional().describe('omitted = 1'),
  onlink: z.boolean().optional().describe('the gateway is on this link even though no subnet says so'),
});

export const Route = z.strictObject({
  to: z.string().describe('`default` or a destination prefix such as 10.1.0.0/16'),
  via: IpAddress.optional(),
  dev: InterfaceName.optional(),
  metric: z.number().int().min(0).max(U32).optional(),
  table: TableRef.optional().describe('omitted = main (254); a local route: local (255)'),
  src: IpAddress.optional(),
  type: z.enum(['unicast', 'blackhole', 'unreachable', 'prohibit', 'local']).optional().describe('omitted = unicast'),
  onlink: z.boolean().optional().describe('the gateway is on `dev` even though no subnet says so'),
  nexthops: z.array(Nexthop).min(2).optional().describe('a multipath route: two or more paths instead of via/dev'),
});

export const RULE_ACTIONS = ['lookup', 'blackhole', 'unreachable', 'prohibit'] as const;

/**
 * A policy rule (`ip rule`): which table a packet is looked up in, by source,
 * destination, interfaces and firewall mark. The kernel's own rules (0 local,
 * 32766 main, 32767 default, and VRF's l3mdev rule) are implicit: a document
 * lists only the rules a person adds.
 */
export const PolicyRule = z.strictObject({
  priority: z.number().int().min(0).max(U32).describe("unique per family in a namespace; the kernel's own rules sit at 0, 32766 and 32767"),
  family: z
    .union([z.literal(4), z.literal(6)])
    .optional()
    .describe('4 or 6; omitted = the family of from/to, else 4'),
  from: z.string().optional().describe('source prefix (`from`), omitted = all'),
  to: z.string().optional().describe('destination prefix (`to`), omitted = all'),
  iif: InterfaceName.optional().describe('incoming interface (`lo` = sent by this namespace)'),
  oif: InterfaceName.optional().describe('outgoing interface (sockets bound to it)'),
  fwmark: z.number().int().min(0).max(U32).optional().describe('firewall mark'),
  fwmask: z.number().int().min(0).max(U32).optional().describe('mask of fwmark, omitted = 0xffffffff'),
  table: TableRef.optional().describe('the table to look up (action lookup)'),
  action: z.enum(RULE_ACTIONS).optional().describe('omitted = lookup'),
});

/** NAT as the tutorials use it: iptables -t nat rules, in structured form. */
export const NatRule = z.strictObject({
  action: z.enum(['masquerade', 'snat', 'dnat']),
  source: z.string().optional().describe('-s prefix'),
  destination: z.string().optional().describe('-d prefix'),
  inInterface: InterfaceName.optional().describe('-i (dnat)'),
  outInterface: InterfaceName.optional().describe('-o (masquerade, snat)'),
  protocol: z.enum(['tcp', 'udp']).optional(),
  port: Port.optional().describe('--dport (dnat)'),
  toAddress: z.string().optional().describe('--to-source / --to-destination address[:port] (snat, dnat)'),
});

export const Dns = z.strictObject({
  nameservers: z.array(IpAddress).min(1),
  search: z.array(z.string()).optional(),
});

export const Vrf = z.strictObject({
  name: InterfaceName,
  table: z.number().int().min(1).max(4294967295),
  up: z.boolean().default(true),
});

// partialRecord: zod 4's z.record with enum keys demands every key; any subset is fine here.
export const Sysctls = z.partialRecord(z.enum(SYSCTL_KEYS), z.string());

export const Namespace = z.strictObject({
  name: NamespaceName,
  loopback: z.enum(['up', 'down']).default('up'),
  sysctls: Sysctls.default({}),
  routes: z.array(Route).default([]),
  nat: z.array(NatRule).default([]),
  dns: Dns.optional().describe('written to /etc/netns/NAME/resolv.conf'),
  vrfs: z.array(Vrf).default([]),
  tables: z
    .record(z.string(), z.number().int().min(1).max(U32))
    .optional()
    .describe("names for routing tables, used by this namespace's routes and rules (`uplink2: 102`); never written to the host's rt_tables"),
  rules: z.array(PolicyRule).optional().describe("policy rules (`ip rule`) beyond the kernel's default ones"),
  /** shared/model/external.ts: a namespace the document refers to but does not own */
  external: ExternalRef.optional(),
  nodad: z
    .boolean()
    .optional()
    .describe(
      'add the IPv6 addresses of this namespace with `nodad`: usable at once, without duplicate address detection (omitted = with DAD, which takes 1-2 s after the link comes up)',
    ),
});

export const ForwarderEnd = z.strictObject({
  namespace: NamespaceName,
  address: z.string().describe('IP address (listen) or host name/IP (target)'),
  port: Port,
});

/** GOST's `netns` / `netns.out`: listen in one namespace, dial out of another. */
export const Forwarder = z.strictObject({
  name: z.string(),
  protocol: z.enum(['tcp', 'udp']),
  listen: ForwarderEnd,
  target: ForwarderEnd,
});

/** Canvas positions, kept apart from the network facts. Keys are node ids (see ./ids.ts). */
export const Layout = z.strictObject({
  positions: z.record(z.string(), z.strictObject({ x: z.number(), y: z.number() })).default({}),
});

export const Metadata = z.strictObject({
  name: z.string().optional(),
  description: z.string().optional(),
});

export const Topology = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  kind: z.literal(KIND),
  /**
   * The topology's identity on a host: what it owns is recorded under this name
   * (see ./topology-name.ts). Omitted: the file's base name.
   */
  name: z.string().optional().describe('identity of this topology on a host (letters, digits, "_", ".", "-"); omitted = the file name without .yaml'),
  metadata: Metadata.default({}),
  namespaces: z.array(Namespace).default([]),
  bridges: z.array(Bridge).default([]),
  veths: z.array(Veth).default([]),
  forwarders: z.array(Forwarder).default([]),
  layout: Layout.optional(),
});

export type Topology = z.output<typeof Topology>;
export type TopologyInput = z.input<typeof Topology>;
export type Namespace = z.output<typeof Namespace>;
export type Bridge = z.output<typeof Bridge>;
export type Veth = z.output<typeof Veth>;
export type VethEnd = z.output<typeof VethEnd>;
export type Route = z.output<typeof Route>;
export type Nexthop = z.output<typeof Nexthop>;
export type PolicyRule = z.output<typeof PolicyRule>;
export type TableRef = z.output<typeof TableRef>;
export type RuleAction = (typeof RULE_ACTIONS)[number];
export type NatRule = z.output<typeof NatRule>;
export type Dns = z.output<typeof Dns>;
export type Vrf = z.output<typeof Vrf>;
export type Forwarder = z.output<typeof Forwarder>;
export type ForwarderEnd = z.output<typeof ForwarderEnd>;
export type Layout = z.output<typeof Layout>;
export type SysctlKey = (typeof SYSCTL_KEYS)[number];

/** An empty document, ready to edit. */
export function emptyTopology(name?: string): Topology {
  return Topology.parse({ apiVersion: API_VERSION, kind: KIND, metadata: name ? { name } : {} });
}
