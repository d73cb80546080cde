/**
 * What a reachability question answers: the hops a ping takes there and back,
 * and for a failure the first hop that fails, why, and what to do about it.
 * Plain data: the CLI prints it, `--format json` emits it, the app draws it.
 *
 * Pure: no node:* imports.
 */

export type Verdict = 'ok' | 'fail' | 'unknown';

/** Why a ping fails (or cannot be decided); one per fault the analysis knows. */
export type FaultCode =
  | 'unknown-namespace'
  | 'bad-address'
  | 'no-route'
  | 'no-return-route'
  | 'route-type'
  | 'rule-action'
  | 'rule-unknown'
  | 'link-down'
  | 'no-carrier'
  | 'gateway-not-on-link'
  | 'wrong-gateway'
  | 'no-neighbor'
  | 'forwarding-off'
  | 'rp-filter'
  | 'martian-source'
  | 'filter-drop'
  | 'filter-unknown'
  | 'nat-unknown'
  | 'loopback-down'
  | 'bridge-down'
  | 'port-down'
  | 'no-source'
  | 'leaves-host'
  | 'loop'
  | 'multipath-differs'
  | 'reply-elsewhere';

export type Direction = 'request' | 'reply';

export interface Hop {
  direction: Direction;
  /** namespace the hop happens in */
  ns: string;
  /** interface the packet leaves or arrives by (or the bridge it crosses) */
  iface?: string;
  kind: 'send' | 'receive' | 'forward' | 'bridge' | 'deliver' | 'nat' | 'filter' | 'fail';
  /** what happens, for people: `out veth1 via 192.168.1.254` */
  text: string;
  /** the route, rule or NAT entry used, as `ip`/`iptables` print it */
  entry?: string;
  /** addresses of the packet at this hop */
  src?: string;
  dst?: string;
}

export interface Failure {
  code: FaultCode;
  direction: Direction;
  ns: string;
  iface?: string;
  reason: string;
  /** what a person can do about it */
  fix: string;
  /** the entry involved (route, rule, iptables rule) */
  entry?: string;
}

export interface ReachResult {
  from: string;
  /** the address pinged */
  to: string;
  /** namespace holding that address, when known */
  toNamespace?: string;
  predicted: Verdict;
  hops: Hop[];
  /** for fail/unknown: the first hop that fails (or cannot be decided) */
  failure?: Failure;
  /** one line: the failure's reason, or `reached NS and back` */
  reason: string;
}
