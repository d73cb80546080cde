/**
 * The parts of an RTM_NEWRULE message beyond what the document model has
 * (tos, uid/port ranges, ipproto, tun_id, suppress_*, realms, goto, nop), put
 * into the JSON keys and value spellings `ip -j rule` uses, in its order. The
 * netlink reader (./netlink.ts) must say exactly what the ip reader says: ./parse.ts
 * turns both into the observed rule's `unsaid` words, and discover leaves such a
 * rule out of the document with a warning instead of writing a wider one.
 */
import { readFileSync } from 'node:fs';

type Json = Record<string, unknown>;

const FRA = { goto: 4, flow: 11, tunId: 12, suppressIfgroup: 13, suppressPrefixlen: 14, uidRange: 20, ipProto: 22, sportRange: 23, dportRange: 24 } as const;
const FR_ACT_GOTO = 2;
const FR_ACT_NOP = 3;
const NONE = 0xffffffff;

let protocols: Map<number, string> | undefined;
/** /etc/protocols as getprotobynumber reads it (ip names ipproto by it; `ipproto-N` without a name). */
function protocolName(n: number): string {
  if (!protocols) {
    protocols = new Map();
    try {
      for (const line of readFileSync('/etc/protocols', 'utf8').split('\n')) {
        const [name, num] = line.replace(/#.*/, '').trim().split(/\s+/);
        if (name && num && !protocols.has(Number(num))) protocols.set(Number(num), name);
      }
    } catch {
      /* no netbase: numbers only */
    }
  }
  return protocols.get(n) ?? `ipproto-${n}`;
}

const u32 = (b?: Buffer) => (b && b.length >= 4 ? b.readUInt32LE(0) : undefined);

/** Adds to `r` (already holding the fields the model has) the rest of the rule, as `ip -j rule` prints it. */
export function addRuleExtras(r: Json, header: { tos: number; action: number }, a: Map<number, Buffer>): void {
  if (header.tos) r.tos = `0x${header.tos.toString(16).padStart(2, '0')}`;
  const uid = a.get(FRA.uidRange);
  if (uid && uid.length >= 8) {
    r.uid_start = uid.readUInt32LE(0);
    r.uid_end = uid.readUInt32LE(4);
  }
  const proto = a.get(FRA.ipProto);
  if (proto?.length) r.ipproto = protocolName(proto[0]);
  for (const [word, type] of [
    ['sport', FRA.sportRange],
    ['dport', FRA.dportRange],
  ] as const) {
    const range = a.get(type);
    if (!range || range.length < 4) continue;
    const [start, end] = [range.readUInt16LE(0), range.readUInt16LE(2)];
    if (start === end) r[word] = start;
    else {
      r[`${word}_start`] = start;
      r[`${word}_end`] = end;
    }
  }
  const tun = a.get(FRA.tunId);
  if (tun && tun.length >= 8) r.tun_id = Number(tun.readBigUInt64BE(0));
  const prefixlen = u32(a.get(FRA.suppressPrefixlen));
  if (prefixlen !== undefined && prefixlen !== NONE) r.suppress_prefixlen = prefixlen;
  const ifgroup = u32(a.get(FRA.suppressIfgroup));
  if (ifgroup !== undefined && ifgroup !== NONE) r.suppress_ifgroup = ifgroup === 0 ? 'default' : String(ifgroup);
  const flow = u32(a.get(FRA.flow));
  if (flow) {
    if (flow >>> 16) r.flow_from = String(flow >>> 16);
    r.flow_to = String(flow & 0xffff);
  }
  if (header.action === FR_ACT_GOTO) r.goto = u32(a.get(FRA.goto)) ?? 'none';
  else if (header.action === FR_ACT_NOP) r.nop = null;
}
