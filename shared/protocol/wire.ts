/**
 * The protocol's constants and the plain types of hello, without zod: the helper
 * answers its first `hello` before it loads any schema (helper/main.ts), and both
 * ends read these. ./messages.ts re-exports everything here beside the schemas.
 *
 * Pure: no node:* imports.
 */
/** Bumped when a message shape changes incompatibly. */
export const PROTOCOL_VERSION = 1;
/** Largest message (one line, in bytes) either end accepts. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** First line the helper sends on a connect-back socket, before anything else. */
export const AUTH_MAGIC = 'netns-studio-helper';

/** Codes of the protocol itself; methods add their own (`plan-stale`, `step-failed`…). */
export const PROTOCOL_ERROR = {
  /** not JSON, or not a request/response/event */
  badMessage: 'bad-message',
  /** a line longer than MAX_MESSAGE_BYTES */
  tooLarge: 'too-large',
  unknownMethod: 'unknown-method',
  /** params failed the method's schema */
  badParams: 'bad-params',
  /** a bug in the helper: the message says what */
  internal: 'internal',
  /** client side: no answer in time */
  timeout: 'timeout',
  /** client side: the helper exited or the stream closed with the request in flight */
  disconnected: 'disconnected',
  /** connect-back: the helper did not prove itself with the secret */
  unauthorized: 'unauthorized',
  /** the helper needs root and is not */
  notRoot: 'not-root',
  /** client side: the helper's hello names another PROTOCOL_VERSION (an app and a helper of different releases) */
  protocolMismatch: 'protocol-mismatch',
} as const;

export const KERNEL_FEATURES = ['veth', 'bridge', 'vrf', 'vxlan', 'tap', 'dummy', 'macvlan', 'vlan', 'netem', 'iptables', 'nftables'] as const;
export type KernelFeature = (typeof KERNEL_FEATURES)[number];

export interface HelloResult {
  protocol: number;
  /** `ip -V`, e.g. iproute2-6.1.0 */
  iproute2: string;
  /** `uname -r` */
  kernel: string;
  features: Record<KernelFeature, boolean>;
  isRoot: boolean;
  uid: number;
  pid: number;
}
