/**
 * The fast reader: ONE process (./nl-dump.pl, perl) per stream enters each
 * namespace with setns(2) and dumps rtnetlink there; this file decodes the raw
 * replies into the same JSON shapes `ip -j -d -s` prints (./read.ts RawNamespace),
 * so ./parse.ts serves both readers. It also tells which namespaces have an
 * iptables nat table at all, so `iptables-save` runs only where it has something
 * to say. When perl is missing or a dump fails, the caller falls back to the
 * `ip -batch` reader for those namespaces.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawNamespace } from './read';
import { addRuleExtras } from './rule-extras';
import { hasProgram, programPath } from '../programs';
import type { Json } from './json';

export const NL_DUMP_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'nl-dump.pl');

export interface NetlinkRead {
  raw: RawNamespace;
  /** an iptables nat table exists here (nf_tables `ip nat`, or legacy x_tables) */
  hasNat: boolean;
}

const DUMP = { link: 0, addr: 1, route: 2, rule: 3, netconf: 4, nft: 5, xtables: 6, enter: 255 } as const;

/** The system perl (a fixed path, not $PATH: the helper runs as root), when it and our script are there. */
export function perlPath(): string | undefined {
  if (!existsSync(NL_DUMP_SCRIPT)) return undefined; // a bundle that left the script out: ip reader only
  return hasProgram('perl') ? programPath('perl') : undefined;
}

export function perlAvailable(): boolean {
  return perlPath() !== undefined;
}

/**
 * Read every path, split over up to `streams` long-lived perl readers (one when the
 * host is small), from reader `firstReader` on (watch reads its big namespaces on a
 * reader of their own, so a small one's read does not queue behind them).
 * Missing entries: namespaces that could not be read this way.
 */
export async function readNetlink(paths: string[], streams = 2, firstReader = 0): Promise<Map<string, NetlinkRead>> {
  const out = new Map<string, NetlinkRead>();
  if (!paths.length) return out;
  const n = Math.max(1, Math.min(streams, Math.ceil(paths.length / 64)));
  const size = Math.ceil(paths.length / n);
  const chunks = Array.from({ length: n }, (_, i) => paths.slice(i * size, (i + 1) * size)).filter((c) => c.length);
  await Promise.all(
    chunks.map(async (chunk, i) => {
      // each namespace decoded as soon as its frames are in, while perl reads the next
      // (a namespace whose frames all arrived is a whole read, even if the reader dies later)
      await reader(firstReader + i)
        .read(chunk, (k, dumps) => {
          const r = decodeNamespace(dumps);
          if (r) out.set(chunk[k], r);
        })
        .catch(() => undefined);
    }),
  );
  return out;
}

const END_FRAME = 0xffffffff;
type Perl = ChildProcessByStdio<Writable, Readable, null>;

/**
 * One perl reader kept running between reads: spawning costs more than reading a
 * small host, and a watcher re-reads one namespace at a time. Reads queue up; a
 * reader that died is started again on the next read. It never keeps the helper
 * alive (unref'd) and goes back to the helper's namespace after every batch.
 */
class PerlReader {
  constructor(private readonly args: string[] = []) {}
  private child?: Perl;
  private queue: Promise<unknown> = Promise.resolve();
  /** bytes of the current read not yet handed out: the frames of the namespace being read */
  private pending: Buffer = Buffer.alloc(0);
  private waiting?: { resolve(): void; reject(e: Error): void; onNamespace: NamespaceFrames };

  /** Read `paths`; `onNamespace` gets each one's frames (by its index in `paths`) once they are all in. */
  read(paths: string[], onNamespace: NamespaceFrames): Promise<void> {
    const run = this.queue.then(() => this.readNow(paths, onNamespace));
    this.queue = run.then(
      () => {},
      () => {},
    );
    return run;
  }

  private start(): Perl {
    const child = spawn(perlPath() ?? 'perl', [NL_DUMP_SCRIPT, ...this.args], { stdio: ['pipe', 'pipe', 'ignore'] });
    child.on('error', () => this.fail(new Error('perl reader failed to start')));
    child.on('close', () => {
      if (this.child === child) this.child = undefined;
      this.fail(new Error('perl reader exited'));
    });
    child.stdin.on('error', () => {});
    child.stdout.on('data', (d: Buffer) => this.receive(d));
    (child.stdin as unknown as { unref?(): void }).unref?.();
    return child;
  }

  /** Keep the event loop alive only while a read is in flight. */
  private hold(on: boolean) {
    const c = this.child;
    if (!c) return;
    const how = on ? 'ref' : 'unref';
    c[how]();
    (c.stdout as unknown as Record<string, (() => void) | undefined>)[how]?.();
  }

  private readNow(paths: string[], onNamespace: NamespaceFrames): Promise<void> {
    this.child ??= this.start();
    this.hold(true);
    this.pending = Buffer.alloc(0);
    const child = this.child;
    return new Promise<void>((resolve, reject) => {
      // a reader stuck in the kernel must not hang discover: kill it, the ip reader takes over
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000 + 20 * paths.length);
      this.waiting = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (e) => (clearTimeout(timer), reject(e)),
        onNamespace,
      };
      child.stdin.write(paths.join('\0') + '\0\0');
    });
  }

  private fail(e: Error) {
    this.hold(false);
    const w = this.waiting;
    this.waiting = undefined;
    this.pending = Buffer.alloc(0);
    w?.reject(e);
  }

  /**
   * Frames are length-prefixed and come namespace by namespace: a namespace is
   * whole when a frame of another one (or the end frame) follows its last.
   */
  private receive(d: Buffer) {
    const w = this.waiting;
    if (!w) return;
    const buf = this.pending.length ? Buffer.concat([this.pending, d]) : d;
    let start = 0; // where the current namespace's frames begin
    let off = 0;
    while (off + 16 <= buf.length) {
      const ns = buf.readUInt32LE(off);
      if (ns !== buf.readUInt32LE(start)) {
        w.onNamespace(buf.readUInt32LE(start), splitFrames(buf.subarray(start, off)).get(buf.readUInt32LE(start))!);
        start = off;
      }
      if (ns === END_FRAME) {
        this.waiting = undefined;
        this.pending = Buffer.alloc(0);
        this.hold(false);
        w.resolve();
        return;
      }
      const end = off + 16 + buf.readUInt32LE(off + 12);
      if (end > buf.length) break;
      off = end;
    }
    // the current namespace's frames so far (copied: `d` is the stream's buffer)
    this.pending = Buffer.from(buf.subarray(start));
  }
}

/** Receives one namespace's dumps, by its index in the paths read. */
type NamespaceFrames = (index: number, dumps: Map<number, Dump>) => void;

const readers: PerlReader[] = [];
const reader = (i: number) => (readers[i] ??= new PerlReader());
/** its own reader, links only: sampling never waits behind a discover, nor a discover behind sampling */
let statsReader: PerlReader | undefined;

/** A link's kernel counters (IFLA_STATS64). */
export interface LinkCounters {
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

/**
 * The counters of every link of each path (one links-only dump per namespace, one
 * perl process for all): path → ifname → counters. Missing paths could not be read.
 */
export async function readLinkCounters(paths: string[]): Promise<Map<string, Map<string, LinkCounters>>> {
  const out = new Map<string, Map<string, LinkCounters>>();
  if (!paths.length) return out;
  await (statsReader ??= new PerlReader(['--links'])).read(paths, (k, dumps) => {
    const d = dumps.get(DUMP.link);
    if (!d || d.status !== 0) return;
    const links = new Map<string, LinkCounters>();
    for (const m of messages(d.bytes)) {
      if (m.type !== 16 /* RTM_NEWLINK */) continue;
      const a = attrs(m.body.subarray(16), LINK_ATTRS);
      const name = str(a.get(3));
      const st = a.get(23);
      if (!name || !st || st.length < 32) continue;
      const n = (i: number) => Number(st.readBigUInt64LE(i * 8));
      links.set(name, { rxPackets: n(0), txPackets: n(1), rxBytes: n(2), txBytes: n(3) });
    }
    out.set(paths[k], links);
  });
  return out;
}

interface Dump {
  status: number;
  bytes: Buffer;
}

function splitFrames(buf: Buffer): Map<number, Map<number, Dump>> {
  const out = new Map<number, Map<number, Dump>>();
  for (let off = 0; off + 16 <= buf.length;) {
    const ns = buf.readUInt32LE(off);
    const d = buf.readUInt32LE(off + 4);
    const status = buf.readInt32LE(off + 8);
    const len = buf.readUInt32LE(off + 12);
    const bytes = buf.subarray(off + 16, off + 16 + len);
    off += 16 + len;
    const m = out.get(ns) ?? new Map<number, Dump>();
    m.set(d, { status, bytes });
    out.set(ns, m);
  }
  return out;
}

// ---------------------------------------------------------------- netlink decoding

interface Msg {
  type: number;
  body: Buffer;
}

function messages(buf: Buffer): Msg[] {
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < 16) break;
    out.push({ type: buf.readUInt16LE(off + 4), body: buf.subarray(off + 16, off + len) });
    off += (len + 3) & ~3;
  }
  return out;
}

/**
 * Attributes of one level: type (nested/byte-order flags masked) → payload. With
 * `wanted`, only those types are kept: a link carries ~45 attributes and we read
 * a dozen, and a 500-namespace host has a thousand links (allocation is the cost).
 */
function attrs(buf: Buffer, wanted?: ReadonlySet<number>): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = 0; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4) break;
    const type = buf.readUInt16LE(off + 2) & 0x3fff;
    if (!wanted || wanted.has(type)) out.set(type, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

/** IFLA_ADDRESS, IFNAME, MTU, LINK, MASTER, OPERSTATE, LINKINFO, IFALIAS, STATS64, LINK_NETNSID */
const LINK_ATTRS = new Set([1, 3, 4, 5, 10, 16, 18, 20, 23, 37]);

const str = (b?: Buffer) => (b ? b.toString('utf8').replace(/\0.*$/s, '') : undefined);
const u32 = (b?: Buffer) => (b && b.length >= 4 ? b.readUInt32LE(0) : undefined);
const s32 = (b?: Buffer) => (b && b.length >= 4 ? b.readInt32LE(0) : undefined);

function ipString(family: number, b?: Buffer): string | undefined {
  if (!b) return undefined;
  if (family === 2 && b.length >= 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (family === 10 && b.length >= 16) return ipv6String(b);
  return undefined;
}

/** RFC 5952 text, as inet_ntop writes it (longest run of ≥ 2 zero groups compressed). */
function ipv6String(b: Buffer): string {
  const g = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

const FAMILY: Record<number, string> = { 2: 'inet', 10: 'inet6' };
const OPERSTATE = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const IFF: [number, string][] = [
  [0x2, 'BROADCAST'],
  [0x8, 'LOOPBACK'],
  [0x10, 'POINTOPOINT'],
  [0x1000, 'MULTICAST'],
  [0x100, 'PROMISC'],
  [0x80, 'NOARP'],
  [0x1, 'UP'],
  [0x10000, 'LOWER_UP'],
];
const BRPORT_STATE = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
/** IFA_F_NODAD, IFA_F_DADFAILED, IFA_F_TENTATIVE, under the names `ip -j` gives them */
const IFA_FLAGS: [number, string][] = [
  [0x02, 'nodad'],
  [0x08, 'dadfailed'],
  [0x40, 'tentative'],
];
const SCOPE: Record<number, string> = { 0: 'global', 200: 'site', 253: 'link', 254: 'host', 255: 'nowhere' };
const RTN = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];
const PROTO: Record<number, string> = {
  0: 'unspec',
  1: 'redirect',
  2: 'kernel',
  3: 'boot',
  4: 'static',
  8: 'gated',
  9: 'ra',
  10: 'mrt',
  11: 'zebra',
  12: 'bird',
  13: 'dnrouter',
  14: 'xorp',
  15: 'ntk',
  16: 'dhcp',
  17: 'mrouted',
  18: 'keepalived',
  42: 'babel',
  99: 'openr',
  186: 'bgp',
  187: 'isis',
  188: 'ospf',
  189: 'rip',
  192: 'eigrp',
};
const TABLE_NAME: Record<number, string> = { 253: 'default', 254: 'main', 255: 'local' };
const FR_ACT: Record<number, string> = { 1: 'to_tbl', 2: 'goto', 3: 'nop', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };
const RP_FILTER = ['off', 'strict', 'loose'];

function decodeLinks(buf: Buffer): Json[] {
  const links: Json[] = [];
  for (const m of messages(buf)) {
    if (m.type !== 16 /* RTM_NEWLINK */) continue;
    const type = m.body.readUInt16LE(2);
    const ifindex = m.body.readInt32LE(4);
    const flags = m.body.readUInt32LE(8);
    const a = attrs(m.body.subarray(16), LINK_ATTRS);
    const l: Json = {
      ifindex,
      ifname: str(a.get(3)),
      flags: IFF.filter(([bit]) => flags & bit).map(([, n]) => n),
      mtu: u32(a.get(4)),
      operstate: OPERSTATE[a.get(16)?.[0] ?? 0] ?? 'UNKNOWN',
      link_type: type === 1 ? 'ether' : type === 772 ? 'loopback' : type === 65534 ? 'none' : String(type),
    };
    const mac = a.get(1);
    if (mac && mac.length) l.address = [...mac].map((x) => x.toString(16).padStart(2, '0')).join(':');
    const master = u32(a.get(10));
    if (master) l.master_index = master;
    const link = u32(a.get(5));
    if (link !== undefined) l.link_index = link;
    const netnsid = s32(a.get(37));
    if (netnsid !== undefined && netnsid >= 0) l.link_netnsid = netnsid;
    const alias = str(a.get(20));
    if (alias) l.ifalias = alias;
    const info = a.get(18);
    if (info) {
      const ia = attrs(info);
      const kind = str(ia.get(1));
      if (kind) {
        l.linkinfo = { info_kind: kind };
        const data = ia.get(2);
        if (data) {
          const da = attrs(data);
          if (kind === 'vrf') l.linkinfo.info_data = { table: u32(da.get(1)) };
          if (kind === 'tun') {
            const t = da.get(3 /* IFLA_TUN_TYPE */)?.[0];
            l.linkinfo.info_data = { type: t === 2 ? 'tap' : 'tun' };
          }
        }
      }
      // IFLA_INFO_SLAVE_KIND / SLAVE_DATA: a bridge port's IFLA_BRPORT_STATE, as `ip -d` prints it
      if (str(ia.get(4)) === 'bridge') {
        l.linkinfo = { ...l.linkinfo, info_slave_kind: 'bridge' };
        const slave = ia.get(5);
        const state = slave ? attrs(slave).get(1)?.[0] : undefined;
        if (state !== undefined) l.linkinfo.info_slave_data = { state: BRPORT_STATE[state] ?? String(state) };
      }
    }
    const st = a.get(23);
    if (st && st.length >= 32) {
      const n = (i: number) => Number(st.readBigUInt64LE(i * 8));
      l.stats64 = { rx: { packets: n(0), bytes: n(2) }, tx: { packets: n(1), bytes: n(3) } };
    }
    links.push(l);
  }
  // names where ip prints names: the master, and a veth peer in this same namespace
  const byIndex = new Map(links.map((l) => [l.ifindex, l]));
  for (const l of links) {
    if (l.master_index !== undefined) l.master = byIndex.get(l.master_index)?.ifname;
    delete l.master_index;
    if (l.link_index !== undefined && l.link_netnsid === undefined && byIndex.has(l.link_index)) {
      l.link = byIndex.get(l.link_index).ifname;
      delete l.link_index;
    }
  }
  return links;
}

function decodeAddrs(buf: Buffer, links: Json[]): void {
  const byIndex = new Map(links.map((l) => [l.ifindex, l]));
  for (const l of links) l.addr_info = [];
  for (const m of messages(buf)) {
    if (m.type !== 20 /* RTM_NEWADDR */) continue;
    const family = m.body[0];
    const a = attrs(m.body.subarray(8));
    const local = ipString(family, a.get(2) ?? a.get(1));
    const l = byIndex.get(m.body.readUInt32LE(4));
    if (!l || !local || !FAMILY[family]) continue;
    const entry: Json = { family: FAMILY[family], local, prefixlen: m.body[1], scope: SCOPE[m.body[3]] ?? m.body[3] };
    const flags = u32(a.get(8 /* IFA_FLAGS */)) ?? m.body[2];
    for (const [bit, name] of IFA_FLAGS) if (flags & bit) entry[name] = true;
    l.addr_info.push(entry);
  }
}

function decodeRoutes(buf: Buffer, names: Map<number, string>): Json[] {
  const out: Json[] = [];
  for (const m of messages(buf)) {
    if (m.type !== 24 /* RTM_NEWROUTE */) continue;
    const [family, dstLen, , , tableByte, protocol, scope, type] = m.body;
    if (family !== 2 && family !== 10) continue;
    const a = attrs(m.body.subarray(12));
    const dst = ipString(family, a.get(1));
    const full = family === 2 ? 32 : 128;
    const r: Json = {
      type: RTN[type] ?? String(type),
      dst: dst === undefined ? (dstLen === 0 ? 'default' : `${family === 2 ? '0.0.0.0' : '::'}/${dstLen}`) : dstLen === full ? dst : `${dst}/${dstLen}`,
      table: u32(a.get(15)) ?? tableByte,
      protocol: PROTO[protocol] ?? String(protocol),
    };
    const gw = ipString(family, a.get(5));
    if (gw) r.gateway = gw;
    const oif = u32(a.get(4));
    if (oif !== undefined) r.dev = names.get(oif) ?? `if${oif}`;
    r.scope = SCOPE[scope] ?? String(scope); // `ip -d` prints it always
    const metric = u32(a.get(6));
    if (metric !== undefined) r.metric = metric;
    const src = ipString(family, a.get(7));
    if (src) r.prefsrc = src;
    const flags = m.body.readUInt32LE(8);
    if (flags & RTNH_F_ONLINK) r.flags = ['onlink'];
    const multipath = a.get(9 /* RTA_MULTIPATH */);
    if (multipath) r.nexthops = decodeNexthops(family, multipath, names);
    if (family === 10) r.pref = 'medium'; // ip prints it for every IPv6 route; parse.ts reads the family from it
    out.push(r);
  }
  return out;
}

const RTNH_F_ONLINK = 4;

/** RTA_MULTIPATH: struct rtnexthop {len, flags, hops, ifindex} each followed by its attributes, as `ip -j` prints `nexthops`. */
function decodeNexthops(family: number, buf: Buffer, names: Map<number, string>): Json[] {
  const out: Json[] = [];
  for (let off = 0; off + 8 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 8) break;
    const flags = buf[off + 2];
    const hop: Json = {};
    const gw = ipString(family, attrs(buf.subarray(off + 8, off + len)).get(5 /* RTA_GATEWAY */));
    if (gw) hop.gateway = gw;
    const ifindex = buf.readInt32LE(off + 4);
    if (ifindex) hop.dev = names.get(ifindex) ?? `if${ifindex}`;
    hop.weight = buf[off + 3] + 1;
    hop.flags = flags & RTNH_F_ONLINK ? ['onlink'] : [];
    out.push(hop);
    off += (len + 3) & ~3;
  }
  return out;
}

/** IPv4 and IPv6 rules (in that order, as ./read.ts lists them); IPv6 ones tagged `family: 'inet6'` like there. */
function decodeRules(buf: Buffer): Json[] {
  const v4: Json[] = [];
  const v6: Json[] = [];
  for (const m of messages(buf)) {
    if (m.type !== 32 /* RTM_NEWRULE */) continue;
    const [family, dstLen, srcLen, tos, tableByte, , , action] = m.body;
    if (family !== 2 && family !== 10) continue; // multicast routing rules (ipmr) are not ours to show
    const flags = m.body.readUInt32LE(8);
    const a = attrs(m.body.subarray(12));
    const table = u32(a.get(15)) ?? tableByte;
    const r: Json = { priority: u32(a.get(6)) ?? 0 };
    if (flags & 2) r.not = true;
    const src = ipString(family, a.get(2));
    r.src = src ? src : 'all';
    if (src) r.srclen = srcLen;
    const dst = ipString(family, a.get(1));
    if (dst) {
      r.dst = dst;
      r.dstlen = dstLen;
    }
    const iif = str(a.get(3));
    if (iif) r.iif = iif;
    const oif = str(a.get(17));
    if (oif) r.oif = oif;
    const mark = u32(a.get(10));
    if (mark) r.fwmark = `0x${mark.toString(16)}`;
    const mask = u32(a.get(16 /* FRA_FWMASK */));
    if (mark && mask !== undefined && mask !== 0xffffffff) r.fwmask = `0x${mask.toString(16)}`;
    if (a.get(19)?.[0]) r.l3mdev = true;
    else if (table) r.table = TABLE_NAME[table] ?? String(table);
    // goto and nop: ip prints them as keys of their own (./rule-extras.ts), not as an action
    if (action !== 1 && action !== 2 && action !== 3) r.action = FR_ACT[action] ?? String(action);
    addRuleExtras(r, { tos, action }, a);
    if (family === 10) v6.push({ ...r, family: 'inet6' });
    else v4.push(r);
  }
  return [...v4, ...v6];
}

function decodeNetconf(buf: Buffer): Json[] {
  const out: Json[] = [];
  for (const m of messages(buf)) {
    if (m.type !== 80 /* RTM_NEWNETCONF */) continue;
    const family = FAMILY[m.body[0]];
    const a = attrs(m.body.subarray(4));
    if (!family || s32(a.get(1)) !== -1 /* NETCONFA_IFINDEX_ALL */) continue;
    const c: Json = { family, interface: 'all' };
    const fwd = s32(a.get(2));
    if (fwd !== undefined) c.forwarding = fwd !== 0;
    const rp = s32(a.get(3));
    if (rp !== undefined) c.rp_filter = RP_FILTER[rp] ?? String(rp);
    out.push(c);
  }
  return out;
}

/** nf_tables tables named `nat` in the ip family (what iptables-nft's nat table is). */
function nftHasNat(buf: Buffer): boolean {
  for (const m of messages(buf)) {
    if ((m.type & 0xff) !== 0 /* NFT_MSG_NEWTABLE */) continue;
    if (m.body[0] === 2 /* NFPROTO_IPV4 */ && str(attrs(m.body.subarray(4)).get(1)) === 'nat') return true;
  }
  return false;
}

function decodeNamespace(d: Map<number, Dump>): NetlinkRead | undefined {
  if (d.has(DUMP.enter)) return undefined; // could not enter it (gone)
  for (const k of [DUMP.link, DUMP.addr, DUMP.route, DUMP.rule, DUMP.netconf]) if (d.get(k)?.status !== 0) return undefined;
  const links = decodeLinks(d.get(DUMP.link)!.bytes);
  decodeAddrs(d.get(DUMP.addr)!.bytes, links);
  const names = new Map<number, string>(links.map((l) => [l.ifindex, l.ifname]));
  const nft = d.get(DUMP.nft);
  const xt = d.get(DUMP.xtables)?.bytes.toString('utf8') ?? '';
  // nf_tables unreadable: say "maybe", so iptables-save is asked
  const hasNat = nft?.status !== 0 || nftHasNat(nft.bytes) || /^nat$/m.test(xt);
  return {
    raw: {
      addr: links,
      route: decodeRoutes(d.get(DUMP.route)!.bytes, names),
      rule: decodeRules(d.get(DUMP.rule)!.bytes),
      netconf: decodeNetconf(d.get(DUMP.netconf)!.bytes),
    },
    hasNat,
  };
}
