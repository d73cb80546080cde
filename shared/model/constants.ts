/**
 * The document's fixed words, without zod: code that only names them (discover,
 * which the CLI runs for every `discover` and must start fast) imports them from
 * here instead of loading the whole schema. ./schema.ts re-exports them.
 *
 * Pure: no node:* imports.
 */
export const API_VERSION = 'netns-studio/v1';
export const KIND = 'Topology';
/** The root namespace of the host is always called this in documents. */
export const HOST_NS = 'host';

/** Only these sysctls may be set: the per-namespace forwarding switches and friends. */
export const SYSCTL_KEYS = ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.ping_group_range'] as const;
