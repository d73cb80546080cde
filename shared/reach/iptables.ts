/**
 * iptables rules as the reachability analysis reads them: `iptables-save` lines
 * (live) or the document's NAT rules, parsed into the matches it can evaluate for
 * a ping (addresses, interfaces, protocol, conntrack state, ICMP type, address
 * type, comments). Anything else makes the rule "unknown": a rule that might
 * decide the packet's fate is then quoted, never guessed.
 *
 * Pure: no node:* imports.
 */
import ipaddr from 'ipaddr.js';
import type { NatRule } from '../model/schema';
import { parseIp, type Ip } from '../validate/ip';

interface Neg<T> {
  neg: boolean;
  value: T;
}

export type IptTable = 'filter' | 'nat' | 'mangle';

/** A mark value with its mask (`0x2/0xff`; mask omitted: all bits). */
export interface Mark {
  value: number;
  mask: number;
}

export interface IptRule {
  table: IptTable;
  chain: string;
  /** the rule as written (`-A FORWARD -i br0 -j DROP`), quoted in reasons */
  text: string;
  source?: Neg<{ ip: Ip; prefix: number }>;
  destination?: Neg<{ ip: Ip; prefix: number }>;
  inIface?: Neg<string>;
  outIface?: Neg<string>;
  protocol?: Neg<string>;
  ctstate?: Neg<string[]>;
  icmpType?: Neg<number>;
  dstTypeLocal?: Neg<boolean>;
  srcTypeLocal?: Neg<boolean>;
  /** `-m mark --mark V/M` */
  mark?: Neg<Mark>;
  /** what could not be evaluated (a match module or option), when anything */
  unknown?: string;
  /** ACCEPT, DROP, REJECT, RETURN, MASQUERADE, SNAT, DNAT, LOG, a user chain… ('' = none: a counter) */
  target: string;
  goto?: boolean;
  /** --to-source / --to-destination: the first address */
  toAddress?: Ip;
  /** MARK's change of the packet mark: `mark = (mark & ~mask) ^ value` (--set-xmark; the others are written as one) */
  setMark?: Mark & { op: 'xor' | 'or' };
}

/** iptables-save quotes arguments with spaces ("…"); split like it writes. */
export function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

function prefixOf(s: string): { ip: Ip; prefix: number } | undefined {
  const [a, p] = s.split('/');
  const ip = parseIp(a);
  if (!ip) return undefined;
  const max = ip.kind() === 'ipv4' ? 32 : 128;
  if (p === undefined) return { ip, prefix: max };
  // iptables-save may print a netmask (255.255.255.0) instead of a length
  if (p.includes('.')) {
    const m = parseIp(p);
    return m && m.kind() === 'ipv4' ? { ip, prefix: (m as ipaddr.IPv4).prefixLengthFromSubnetMask() ?? max } : undefined;
  }
  const n = Number(p);
  return Number.isInteger(n) && n >= 0 && n <= max ? { ip, prefix: n } : undefined;
}

const ICMP_TYPES: Record<string, number> = {
  'echo-request': 8,
  'echo-reply': 0,
  'ipv6-echo-request': 128,
  'echo-request-v6': 128,
  'echo-reply-v6': 129,
  'ipv6-echo-reply': 129,
};
/** modules whose options are understood (others: unknown) */
const KNOWN_MODULES = new Set(['conntrack', 'state', 'comment', 'icmp', 'icmp6', 'tcp', 'udp', 'addrtype', 'mark']);
/** targets that let the packet go on to the next rule */
export const NON_TERMINATING = new Set(['', 'LOG', 'NFLOG', 'MARK', 'CONNMARK', 'CT', 'TCPMSS', 'NOTRACK', 'TRACE', 'CLASSIFY', 'AUDIT']);

/** One `-A CHAIN …` line of table `table`; undefined when it is not one. */
export function parseIptLine(table: IptTable, line: string): IptRule | undefined {
  const w = words(line);
  if (w[0] !== '-A' || !w[1]) return undefined;
  const rule: IptRule = { table, chain: w[1], text: line, target: '' };
  let end = w.length;
  const j = w.findIndex((x, i) => i > 1 && (x === '-j' || x === '-g'));
  if (j > 0) {
    end = j;
    rule.target = w[j + 1] ?? '';
    rule.goto = w[j] === '-g';
    for (let i = j + 2; i < w.length; i++) {
      if (w[i] === '--to-source' || w[i] === '--to-destination') {
        const a = (w[i + 1] ?? '').replace(/^\[/, '').split(/[-\]]/)[0];
        // `a.b.c.d:port` for IPv4; IPv6 comes bracketed
        rule.toAddress = parseIp(a.includes('.') ? a.split(':')[0] : a) ?? undefined;
      }
      if (rule.target === 'MARK') {
        const m = parseMark(w[i + 1]);
        const op = w[i];
        if (!m) continue;
        // iptables-save writes --set-xmark; the rest as iptables(8) defines them
        if (op === '--set-xmark') rule.setMark = { ...m, op: 'xor' };
        else if (op === '--set-mark') rule.setMark = { ...m, op: 'or' };
        else if (op === '--and-mark') rule.setMark = { value: 0, mask: ~m.value >>> 0, op: 'xor' };
        else if (op === '--or-mark') rule.setMark = { value: m.value, mask: m.value, op: 'or' };
        else if (op === '--xor-mark') rule.setMark = { value: m.value, mask: 0, op: 'xor' };
      }
    }
  }
  let neg = false;
  const unknown = (why: string) => (rule.unknown ??= why);
  for (let i = 2; i < end; i++) {
    const k = w[i];
    const v = w[i + 1];
    if (k === '!') {
      neg = true;
      continue;
    }
    const n = neg;
    neg = false;
    const take = () => {
      i++;
      return v ?? '';
    };
    switch (k) {
      case '-s':
      case '-d': {
        const p = prefixOf(take());
        if (!p) unknown(`${k} ${v}`);
        else if (k === '-s') rule.source = { neg: n, value: p };
        else rule.destination = { neg: n, value: p };
        break;
      }
      case '-i':
        rule.inIface = { neg: n, value: take() };
        break;
      case '-o':
        rule.outIface = { neg: n, value: take() };
        break;
      case '-p':
        rule.protocol = { neg: n, value: protoName(take()) };
        break;
      case '-m':
        if (!KNOWN_MODULES.has(take())) unknown(`-m ${v}`);
        break;
      case '--ctstate':
      case '--state':
        rule.ctstate = { neg: n, value: take().split(',') };
        break;
      case '--comment':
        take();
        break;
      case '--icmp-type':
      case '--icmpv6-type': {
        const t = take();
        const num = /^\d+/.test(t) ? Number(t.split('/')[0]) : ICMP_TYPES[t];
        if (num === undefined) unknown(`${k} ${t}`);
        else rule.icmpType = { neg: n, value: num };
        break;
      }
      case '--dst-type':
      case '--src-type': {
        const t = take();
        if (t !== 'LOCAL') unknown(`${k} ${t}`);
        else if (k === '--dst-type') rule.dstTypeLocal = { neg: n, value: true };
        else rule.srcTypeLocal = { neg: n, value: true };
        break;
      }
      case '--mark': {
        const m = parseMark(take());
        if (!m) unknown(`--mark ${v}`);
        else rule.mark = { neg: n, value: m };
        break;
      }
      case '--dport':
      case '--sport':
      case '--dports':
      case '--sports':
        take(); // only with -p tcp/udp, which a ping never matches
        break;
      default:
        unknown(k);
    }
  }
  return rule;
}

/** `0x2`, `0x2/0xff`, `2` → value and mask (mask omitted: all bits). */
export function parseMark(s: string | undefined): Mark | undefined {
  const [v, m] = (s ?? '').split('/');
  const value = Number(v);
  const mask = m === undefined ? 0xffffffff : Number(m);
  if (!v || !Number.isInteger(value) || !Number.isInteger(mask) || value < 0 || mask < 0 || value > 0xffffffff || mask > 0xffffffff) return undefined;
  return { value, mask };
}

function protoName(p: string): string {
  const l = p.toLowerCase();
  if (l === '1') return 'icmp';
  if (l === '58' || l === 'icmpv6' || l === 'ipv6-icmp') return 'ipv6-icmp';
  if (l === '6') return 'tcp';
  if (l === '17') return 'udp';
  return l;
}

/** The filter table of `iptables-save -t filter` lines (`:CHAIN POLICY [..]` and `-A …`). */
export function parseFilterLines(lines: string[]): Map<string, { policy?: 'ACCEPT' | 'DROP'; rules: IptRule[] }> {
  const chains = new Map<string, { policy?: 'ACCEPT' | 'DROP'; rules: IptRule[] }>();
  const chain = (name: string) => {
    let c = chains.get(name);
    if (!c) chains.set(name, (c = { rules: [] }));
    return c;
  };
  for (const line of lines) {
    const head = /^:(\S+)\s+(\S+)/.exec(line);
    if (head) {
      const c = chain(head[1]);
      if (head[2] === 'ACCEPT' || head[2] === 'DROP') c.policy = head[2];
      continue;
    }
    const r = parseIptLine('filter', line);
    if (r) chain(r.chain).rules.push(r);
  }
  return chains;
}

/** The document's structured NAT rule as the rule iptables would hold. */
export function natRuleOf(r: NatRule): IptRule {
  const chain = r.action === 'dnat' ? 'PREROUTING' : 'POSTROUTING';
  const target = r.action === 'masquerade' ? 'MASQUERADE' : r.action === 'snat' ? 'SNAT' : 'DNAT';
  const parts = [`-A ${chain}`];
  const rule: IptRule = { table: 'nat', chain, text: '', target };
  if (r.source) {
    parts.push(`-s ${r.source}`);
    const p = prefixOf(r.source);
    if (p) rule.source = { neg: false, value: p };
    else rule.unknown = `-s ${r.source}`;
  }
  if (r.destination) {
    parts.push(`-d ${r.destination}`);
    const p = prefixOf(r.destination);
    if (p) rule.destination = { neg: false, value: p };
    else rule.unknown = `-d ${r.destination}`;
  }
  if (r.inInterface) (parts.push(`-i ${r.inInterface}`), (rule.inIface = { neg: false, value: r.inInterface }));
  if (r.outInterface) (parts.push(`-o ${r.outInterface}`), (rule.outIface = { neg: false, value: r.outInterface }));
  if (r.protocol) (parts.push(`-p ${r.protocol}`), (rule.protocol = { neg: false, value: r.protocol }));
  if (r.port) parts.push(`--dport ${r.port}`);
  parts.push(`-j ${target}`);
  if (r.toAddress) {
    parts.push(`${r.action === 'snat' ? '--to-source' : '--to-destination'} ${r.toAddress}`);
    const a = r.toAddress.startsWith('[') ? r.toAddress.slice(1).split(']')[0] : r.toAddress.includes('.') ? r.toAddress.split(':')[0] : r.toAddress;
    rule.toAddress = parseIp(a) ?? undefined;
  }
  rule.text = parts.join(' ');
  return rule;
}

// ---------------------------------------------------------------- evaluation

/** What a rule sees of a ping. */
export interface IptPacket {
  family: 4 | 6;
  src: Ip;
  dst: Ip;
  inIface?: string;
  outIface?: string;
  /** conntrack state in this namespace */
  ctstate: 'NEW' | 'ESTABLISHED' | 'INVALID';
  /** 8/0 (IPv4) or 128/129 (IPv6) */
  icmpType: number;
  isLocal(ip: Ip): boolean;
  /** the packet mark; undefined = not known (a `-m mark` rule is then "unknown") */
  mark?: number;
}

type Tri = boolean | 'unknown';

function ifaceMatches(pattern: string, name: string | undefined): boolean {
  if (name === undefined) return false;
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : pattern === name;
}

function inPrefix(ip: Ip, p: { ip: Ip; prefix: number }): boolean {
  return ip.kind() === p.ip.kind() && ip.match(p.ip, p.prefix);
}

/** Does the rule match the packet? 'unknown' when a part it cannot read could decide. */
export function ruleMatches(r: IptRule, p: IptPacket): Tri {
  // no closures or arrays here: a matrix evaluates rules hundreds of thousands of times
  if (r.source && inPrefix(p.src, r.source.value) === r.source.neg) return false;
  if (r.destination && inPrefix(p.dst, r.destination.value) === r.destination.neg) return false;
  if (r.inIface && ifaceMatches(r.inIface.value, p.inIface) === r.inIface.neg) return false;
  if (r.outIface && ifaceMatches(r.outIface.value, p.outIface) === r.outIface.neg) return false;
  if (r.protocol) {
    const v = r.protocol.value;
    if ((v === 'all' || v === (p.family === 4 ? 'icmp' : 'ipv6-icmp') || (p.family === 6 && v === 'icmpv6')) === r.protocol.neg) return false;
  }
  if (r.ctstate && r.ctstate.value.includes(p.ctstate) === r.ctstate.neg) return false;
  if (r.icmpType && (r.icmpType.value === p.icmpType) === r.icmpType.neg) return false;
  if (r.dstTypeLocal && p.isLocal(p.dst) === r.dstTypeLocal.neg) return false;
  if (r.srcTypeLocal && p.isLocal(p.src) === r.srcTypeLocal.neg) return false;
  if (r.mark) {
    if (p.mark === undefined) return 'unknown';
    if ((((p.mark ^ r.mark.value.value) & r.mark.value.mask) === 0) === r.mark.neg) return false;
  }
  return r.unknown ? 'unknown' : true;
}

export interface ChainVerdict {
  verdict: 'ACCEPT' | 'DROP' | 'unknown';
  /** the rule that decided, or undefined when the chain policy did */
  rule?: IptRule;
  /** the chain whose policy decided */
  chain: string;
}

/**
 * Walks built-in chain `chain` of a filter table like the kernel: jumps into user
 * chains, RETURN, and the policy at the end.
 */
export function evalFilterChain(chains: Map<string, { policy?: 'ACCEPT' | 'DROP'; rules: IptRule[] }>, chain: string, p: IptPacket): ChainVerdict {
  const r = walk(chains, chain, p, 0);
  if (r) return r;
  return { verdict: chains.get(chain)?.policy ?? 'ACCEPT', chain };
}

function walk(chains: Map<string, { policy?: 'ACCEPT' | 'DROP'; rules: IptRule[] }>, chain: string, p: IptPacket, depth: number): ChainVerdict | undefined {
  const c = chains.get(chain);
  if (!c || depth > 32) return undefined;
  for (const rule of c.rules) {
    if (NON_TERMINATING.has(rule.target)) continue;
    const m = ruleMatches(rule, p);
    if (m === false) continue;
    if (m === 'unknown') return { verdict: 'unknown', rule, chain };
    if (rule.target === 'ACCEPT') return { verdict: 'ACCEPT', rule, chain };
    if (rule.target === 'DROP' || rule.target === 'REJECT') return { verdict: 'DROP', rule, chain };
    if (rule.target === 'RETURN') return undefined;
    if (chains.has(rule.target)) {
      const sub = walk(chains, rule.target, p, depth + 1);
      if (sub) return sub;
      if (rule.goto) return undefined; // -g: RETURN goes back past the calling chain
      continue;
    }
    return { verdict: 'unknown', rule, chain }; // a target we do not model (QUEUE, a missing chain…)
  }
  return undefined;
}

export interface NatVerdict {
  /** undefined: no translation */
  action?: 'MASQUERADE' | 'SNAT' | 'DNAT';
  rule?: IptRule;
  unknown?: boolean;
  /** an ACCEPT ended the walk: no translation, stop looking */
  stop?: boolean;
}

/** The NAT a new connection gets in built-in nat chain `chain` (rules in table order). */
export function evalNatChain(rules: IptRule[], chain: string, p: IptPacket, depth = 0): NatVerdict {
  if (depth > 32) return {};
  for (const rule of rules) {
    if (rule.chain !== chain || NON_TERMINATING.has(rule.target)) continue;
    const m = ruleMatches(rule, p);
    if (m === false) continue;
    if (m === 'unknown') return { rule, unknown: true };
    if (rule.target === 'MASQUERADE' || rule.target === 'SNAT' || rule.target === 'DNAT') return { action: rule.target, rule };
    if (rule.target === 'ACCEPT') return { stop: true };
    if (rule.target === 'RETURN') return {};
    if (rules.some((r) => r.chain === rule.target)) {
      const sub = evalNatChain(rules, rule.target, p, depth + 1);
      if (sub.action || sub.unknown || sub.stop) return sub;
      continue;
    }
    return { rule, unknown: true };
  }
  return {};
}

// ---------------------------------------------------------------- mangle: the mark

/** mangle targets that neither end the walk nor touch the mark */
const MANGLE_HARMLESS = new Set(['', 'LOG', 'NFLOG', 'TRACE', 'AUDIT', 'DSCP', 'TOS', 'TTL', 'HL', 'ECN', 'TCPMSS', 'CLASSIFY', 'CHECKSUM']);

export type MarkVerdict = { mark: number } | { unknown: IptRule };

/** Apply MARK's change to a mark. */
export function applyMark(mark: number, m: NonNullable<IptRule['setMark']>): number {
  const kept = (mark & ~m.mask) >>> 0;
  return (m.op === 'xor' ? kept ^ m.value : kept | m.value) >>> 0;
}

/**
 * The mark a packet leaves mangle chain `chain` with (PREROUTING for a packet
 * that arrived, OUTPUT for one sent here), starting from `mark`. A rule whose
 * match cannot be read, or a target that could change the mark or the packet's
 * fate in ways not modelled (CONNMARK, DROP, TPROXY…), makes the mark unknown,
 * quoting that rule.
 */
export function evalMarkChain(rules: IptRule[], chain: string, p: IptPacket, mark = 0): MarkVerdict {
  const out = markWalk(rules, chain, p, mark, 0);
  return 'unknown' in out ? out : { mark: out.mark };
}

function markWalk(rules: IptRule[], chain: string, p: IptPacket, mark: number, depth: number): { mark: number; done?: boolean } | { unknown: IptRule } {
  if (depth > 32) return { mark };
  for (const rule of rules) {
    if (rule.chain !== chain || MANGLE_HARMLESS.has(rule.target)) continue;
    const m = ruleMatches(rule, { ...p, mark });
    if (m === false) continue;
    if (m === 'unknown') return { unknown: rule };
    if (rule.target === 'MARK') {
      if (!rule.setMark) return { unknown: rule };
      mark = applyMark(mark, rule.setMark);
      continue;
    }
    if (rule.target === 'ACCEPT') return { mark, done: true };
    if (rule.target === 'RETURN') return { mark };
    if (rules.some((r) => r.chain === rule.target)) {
      const sub = markWalk(rules, rule.target, p, mark, depth + 1);
      if ('unknown' in sub || sub.done) return sub;
      mark = sub.mark;
      if (rule.goto) return { mark };
      continue;
    }
    return { unknown: rule };
  }
  return { mark };
}
