/**
 * One captured frame in words, for the app's packet list and the CLI: source,
 * destination, protocol and a short summary (`echo request id 7 seq 1`,
 * `52100 → 80 [SYN]`). Reads Ethernet (with 802.1Q tags), Linux cooked (SLL,
 * SLL2) and raw IP frames; IPv4, IPv6, ARP; ICMP, ICMPv6, TCP, UDP. Anything
 * else is named by its EtherType or protocol number. Pure; never throws on a
 * short or odd frame (a truncated header is said so).
 */
import { LINKTYPE } from './pcap';

export interface PacketSummary {
  src: string;
  dst: string;
  /** ARP, IPv4, IPv6, ICMP, ICMPv6, TCP, UDP, or the EtherType / protocol number */
  proto: string;
  summary: string;
}

const hex2 = (n: number) => n.toString(16).padStart(2, '0');
const mac = (d: Uint8Array, o: number) => Array.from(d.subarray(o, o + 6), hex2).join(':');
const ipv4 = (d: Uint8Array, o: number) => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;

function ipv6(d: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((d[o + 2 * i] << 8) | d[o + 2 * i + 1]);
  // the longest run of zero groups (≥ 2) becomes "::" (RFC 5952)
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const txt = groups.map((g) => g.toString(16));
  if (best < 0) return txt.join(':');
  return `${txt.slice(0, best).join(':')}::${txt.slice(best + bestLen).join(':')}`;
}

const u16 = (d: Uint8Array, o: number) => (d[o] << 8) | d[o + 1];
const u32 = (d: Uint8Array, o: number) => ((d[o] << 24) >>> 0) + ((d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]);

const ICMP4_TYPES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 5: 'redirect', 8: 'echo request', 11: 'time exceeded' };
const ICMP6_TYPES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded',
  128: 'echo request',
  129: 'echo reply',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  143: 'multicast listener report v2',
};
const TCP_FLAGS: [number, string][] = [
  [0x02, 'SYN'],
  [0x10, 'ACK'],
  [0x01, 'FIN'],
  [0x04, 'RST'],
  [0x08, 'PSH'],
  [0x20, 'URG'],
];

/** Transport layer of an IP packet whose payload starts at `o`. */
function transport(proto: number, d: Uint8Array, o: number, src: string, dst: string, v6: boolean): PacketSummary {
  const left = d.length - o;
  if ((proto === 1 && !v6) || (proto === 58 && v6)) {
    const name = v6 ? 'ICMPv6' : 'ICMP';
    if (left < 4) return { src, dst, proto: name, summary: 'truncated' };
    const type = d[o];
    const word = (v6 ? ICMP6_TYPES : ICMP4_TYPES)[type] ?? `type ${type} code ${d[o + 1]}`;
    const echo = (v6 ? type === 128 || type === 129 : type === 0 || type === 8) && left >= 8;
    return { src, dst, proto: name, summary: echo ? `${word} id ${u16(d, o + 4)} seq ${u16(d, o + 6)}` : word };
  }
  if (proto === 6) {
    if (left < 20) return { src, dst, proto: 'TCP', summary: 'truncated' };
    const flags = d[o + 13];
    const names = TCP_FLAGS.filter(([bit]) => flags & bit).map(([, n]) => n);
    const hdr = (d[o + 12] >> 4) * 4;
    const payload = Math.max(0, left - hdr);
    return { src, dst, proto: 'TCP', summary: `${u16(d, o)} → ${u16(d, o + 2)} [${names.join(', ')}] seq ${u32(d, o + 4)}${payload ? ` len ${payload}` : ''}` };
  }
  if (proto === 17) {
    if (left < 8) return { src, dst, proto: 'UDP', summary: 'truncated' };
    return { src, dst, proto: 'UDP', summary: `${u16(d, o)} → ${u16(d, o + 2)} len ${Math.max(0, u16(d, o + 4) - 8)}` };
  }
  return { src, dst, proto: `IP proto ${proto}`, summary: '' };
}

function ip(d: Uint8Array, o: number): PacketSummary | undefined {
  const version = d[o] >> 4;
  if (version === 4) {
    if (d.length - o < 20) return { src: '', dst: '', proto: 'IPv4', summary: 'truncated' };
    const src = ipv4(d, o + 12);
    const dst = ipv4(d, o + 16);
    const fragOffset = u16(d, o + 6) & 0x1fff;
    if (fragOffset) return { src, dst, proto: 'IPv4', summary: `fragment offset ${fragOffset * 8}` };
    return transport(d[o + 9], d, o + (d[o] & 0x0f) * 4, src, dst, false);
  }
  if (version === 6) {
    if (d.length - o < 40) return { src: '', dst: '', proto: 'IPv6', summary: 'truncated' };
    const src = ipv6(d, o + 8);
    const dst = ipv6(d, o + 24);
    let next = d[o + 6];
    let p = o + 40;
    // hop-by-hop, routing, destination options: skip to the transport header
    while ((next === 0 || next === 43 || next === 60) && d.length - p >= 2) {
      const n = d[p];
      p += (d[p + 1] + 1) * 8;
      next = n;
    }
    return transport(next, d, p, src, dst, true);
  }
  return undefined;
}

function arp(d: Uint8Array, o: number): PacketSummary {
  if (d.length - o < 28) return { src: '', dst: '', proto: 'ARP', summary: 'truncated' };
  const op = u16(d, o + 6);
  const sender = ipv4(d, o + 14);
  const target = ipv4(d, o + 24);
  const summary = op === 1 ? `who has ${target}? tell ${sender}` : op === 2 ? `${sender} is at ${mac(d, o + 8)}` : `operation ${op}`;
  return { src: sender, dst: target, proto: 'ARP', summary };
}

/** By EtherType, the network layer starting at `o`; `l2src`/`l2dst` name a frame whose layer 3 is unknown. */
function byEtherType(type: number, d: Uint8Array, o: number, l2src: string, l2dst: string): PacketSummary {
  if (type === 0x0800 || type === 0x86dd) return ip(d, o) ?? { src: l2src, dst: l2dst, proto: type === 0x0800 ? 'IPv4' : 'IPv6', summary: 'bad version' };
  if (type === 0x0806) return arp(d, o);
  if (type === 0x88cc) return { src: l2src, dst: l2dst, proto: 'LLDP', summary: '' };
  return { src: l2src, dst: l2dst, proto: `EtherType 0x${type.toString(16).padStart(4, '0')}`, summary: '' };
}

export function decodeFrame(linktype: number, d: Uint8Array): PacketSummary {
  if (linktype === LINKTYPE.ethernet) {
    if (d.length < 14) return { src: '', dst: '', proto: 'Ethernet', summary: 'truncated' };
    let o = 12;
    let type = u16(d, o);
    const tags: number[] = [];
    while ((type === 0x8100 || type === 0x88a8) && d.length >= o + 6) {
      tags.push(u16(d, o + 2) & 0x0fff);
      o += 4;
      type = u16(d, o);
    }
    const s = byEtherType(type, d, o + 2, mac(d, 6), mac(d, 0));
    return tags.length ? { ...s, summary: `${s.summary}${s.summary ? ' ' : ''}(vlan ${tags.join('.')})` } : s;
  }
  if (linktype === LINKTYPE.raw || linktype === 12 || linktype === 14) return ip(d, 0) ?? { src: '', dst: '', proto: 'raw', summary: 'not IP' };
  if (linktype === LINKTYPE.linuxSll) return d.length < 16 ? { src: '', dst: '', proto: 'SLL', summary: 'truncated' } : byEtherType(u16(d, 14), d, 16, '', '');
  if (linktype === LINKTYPE.linuxSll2) return d.length < 20 ? { src: '', dst: '', proto: 'SLL2', summary: 'truncated' } : byEtherType(u16(d, 0), d, 20, '', '');
  return { src: '', dst: '', proto: `linktype ${linktype}`, summary: '' };
}
