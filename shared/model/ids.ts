/**
 * Stable keys for the objects of a topology. The planner, the ownership record
 * and the canvas all name objects with these, so "owned", "drifted" and
 * "selected" mean the same thing everywhere.
 */
export const objectKey = {
  namespace: (ns: string) => `netns:${ns}`,
  loopback: (ns: string) => `loopback:${ns}`,
  /** any link: a veth end, a bridge, a VRF */
  link: (ns: string, ifname: string) => `link:${ns}/${ifname}`,
  address: (ns: string, ifname: string, cidr: string) => `addr:${ns}/${ifname}/${cidr}`,
  route: (ns: string, table: number | undefined, to: string, metric?: number) => `route:${ns}/${table ?? 254}/${to}${metric === undefined ? '' : `/${metric}`}`,
  /** a policy rule: one per family and priority (the validator refuses duplicates) */
  rule: (ns: string, family: 4 | 6, priority: number) => `rule:${ns}/${family}/${priority}`,
  sysctl: (ns: string, key: string) => `sysctl:${ns}/${key}`,
  nat: (ns: string, rule: string) => `nat:${ns}/${rule}`,
  /** the iptables FORWARD rule accepting what a bridge forwards between its ports (Bridge.acceptForward) */
  accept: (ns: string, bridge: string) => `accept:${ns}/${bridge}`,
  dns: (ns: string) => `dns:${ns}`,
  /** the /run/netns name an external namespace is attached under (netns.attach): the name is the step's, never the namespace */
  attach: (ns: string) => `attach:${ns}`,
  forwarder: (name: string) => `forwarder:${name}`,
} as const;

/** Canvas node and edge ids. */
export const nodeId = {
  namespace: (ns: string) => `ns:${ns}`,
  bridge: (ns: string, name: string) => `br:${ns}/${name}`,
  vrf: (ns: string, name: string) => `vrf:${ns}/${name}`,
  forwarder: (name: string) => `fw:${name}`,
  /** a veth edge is named after its first end */
  veth: (ns: string, ifname: string) => `veth:${ns}/${ifname}`,
} as const;
