/**
 * Strict address parsing on top of ipaddr.js. ipaddr.js also accepts forms that
 * `ip` reads differently or refuses (`10.1`, `0x0a.0.0.1`, zone ids `fe80::1%eth0`),
 * so IPv4 must be four decimal parts and IPv6 may not carry a zone.
 */
import ipaddr from 'ipaddr.js';

export type Ip = ipaddr.IPv4 | ipaddr.IPv6;
export interface Cidr {
  addr: Ip;
  prefix: number;
  kind: 'ipv4' | 'ipv6';
}

export function parseIp(s: string): Ip | null {
  if (typeof s !== 'string' || s.length > 64) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s);
  if (s.includes(':') && !s.includes('%') && ipaddr.IPv6.isValid(s)) return ipaddr.IPv6.parse(s);
  return null;
}

/** `10.0.0.1/24` → address and prefix; null when either part is not valid. */
export function parseCidr(s: string): Cidr | null {
  if (typeof s !== 'string') return null;
  const parts = s.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) return null;
  const addr = parseIp(parts[0]);
  if (!addr) return null;
  const prefix = Number(parts[1]);
  if (prefix > (addr.kind() === 'ipv4' ? 32 : 128)) return null;
  return { addr, prefix, kind: addr.kind() };
}

/** Is `ip` inside the subnet of `cidr`? */
export function inSubnet(ip: Ip, cidr: Cidr): boolean {
  return ip.kind() === cidr.kind && ip.match(cidr.addr, cidr.prefix);
}

/** Do the two subnets share any address? */
export function subnetsOverlap(a: Cidr, b: Cidr): boolean {
  return a.kind === b.kind && a.addr.match(b.addr, Math.min(a.prefix, b.prefix));
}

/** The network address of a subnet, as text: 10.0.0.7/24 → 10.0.0.0/24. */
export function networkOf(c: Cidr): string {
  const s = `${c.addr.toString()}/${c.prefix}`;
  const net = c.kind === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(s) : ipaddr.IPv6.networkAddressFromCIDR(s);
  return `${net.toString()}/${c.prefix}`;
}

export const sameIp = (a: Ip, b: Ip) => a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();

/** Addresses that exist in every namespace, or mean "all of them", for listeners. */
export function isWildcardOrLoopback(ip: Ip): boolean {
  const r = ip.range();
  return r === 'unspecified' || r === 'loopback';
}

/** A DNS host name (RFC 1123 labels), for forwarder targets and resolv.conf search domains. */
export function isHostname(s: string): boolean {
  return (
    typeof s === 'string' &&
    s.length <= 253 &&
    /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(s)
  );
}

/** A map key for an address, the same however it is spelled (`2001:db8::1` = `2001:0db8:0:0::1`). */
export const ipKey = (ip: Ip): string => `${ip.kind()}|${ip.toByteArray().join('.')}`;

/**
 * A map key for the network of `bytes` at `prefix` (bytes of the address, as
 * `toByteArray` gives them): subnets are equal exactly when their keys are, and
 * since two CIDR subnets overlap only when one holds the other, the overlaps of
 * a subnet are found by looking up its own key at every shorter prefix in use.
 */
export function networkKey(kind: 'ipv4' | 'ipv6', bytes: readonly number[], prefix: number): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const bits = Math.max(0, Math.min(8, prefix - i * 8));
    out.push(bytes[i] & ((0xff00 >> bits) & 0xff));
  }
  return `${kind}|${out.join('.')}/${prefix}`;
}
