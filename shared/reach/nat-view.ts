/**
 * A live NAT table as a person reads it: each `iptables-save -t nat` rule that
 * rewrites addresses (MASQUERADE, SNAT, DNAT) as the model's NatRule where the
 * model can say it, with what it cannot say listed beside (negations, address
 * types, the jumps that lead to it); every other line (jumps, RETURN) stays raw.
 * Rules in user chains count from the base chain that jumps to them: Docker puts
 * its port publishing in `DOCKER`, reached from PREROUTING (and OUTPUT) for
 * local destinations, and its masquerading in POSTROUTING with `! -o bridge`.
 *
 * Pure: no node:* imports.
 */
import type { NatRule } from '../model/schema';
import { words } from './iptables';

export interface NatView {
  /** the line as iptables-save wrote it */
  line: string;
  chain: string;
  /** the rule in the model's words, when it rewrites addresses and its action fits its base chain */
  rule?: NatRule;
  /** what the rule (or the jumps to it) also says that the model cannot: `! -i docker0`, `-m addrtype --dst-type LOCAL (via DOCKER)` */
  beyond: string[];
}

const BASE = new Set(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
const ACTIONS: Record<string, NatRule['action']> = { MASQUERADE: 'masquerade', SNAT: 'snat', DNAT: 'dnat' };

interface Parsed {
  chain: string;
  target?: string;
  rule: Partial<NatRule>;
  beyond: string[];
}

function parse(line: string): Parsed | undefined {
  const w = words(line);
  if (w[0] !== '-A' || !w[1]) return undefined;
  const out: Parsed = { chain: w[1], rule: {}, beyond: [] };
  for (let i = 2; i < w.length; i++) {
    const neg = w[i] === '!';
    if (neg) i++;
    const k = w[i];
    const v = w[i + 1];
    const say = (f: 'source' | 'destination' | 'inInterface' | 'outInterface') => {
      i++;
      if (neg) out.beyond.push(`! ${k} ${v}`);
      else out.rule[f] = f === 'source' || f === 'destination' ? v.replace(/\/32$/, '') : v;
    };
    if (k === '-s') say('source');
    else if (k === '-d') say('destination');
    else if (k === '-i') say('inInterface');
    else if (k === '-o') say('outInterface');
    else if (k === '-p') {
      i++;
      if (!neg && (v === 'tcp' || v === 'udp')) out.rule.protocol = v;
      else out.beyond.push(`${neg ? '! ' : ''}-p ${v}`);
    } else if (k === '-m' && (v === 'tcp' || v === 'udp') && !neg)
      i++; // the implicit match of --dport
    else if (k === '--dport' && !neg && /^\d+$/.test(v ?? '')) {
      i++;
      out.rule.port = Number(v);
    } else if (k === '-j' || k === '-g') {
      i++;
      out.target = v;
    } else if (k === '--to-source' || k === '--to-destination') {
      i++;
      out.rule.toAddress = v;
    } else {
      // a match or option the model has no word for: keep it whole (up to the next option that starts a new one)
      const start = i;
      while (i + 1 < w.length && !['-s', '-d', '-i', '-o', '-p', '-j', '-g', '-m', '!'].includes(w[i + 1])) i++;
      out.beyond.push(`${neg ? '! ' : ''}${w.slice(start, i + 1).join(' ')}`);
    }
  }
  return out;
}

export function natView(lines: string[]): NatView[] {
  const parsed = lines.map((line) => ({ line, p: parse(line) }));
  // which base chains reach each user chain, and with what conditions (one level deep is what Docker uses; deeper chains keep their jump chain)
  const reach = new Map<string, { base: string; cond: string[] }[]>();
  for (const { p } of parsed) {
    if (!p?.target || ACTIONS[p.target] || p.target === 'RETURN' || p.target === 'ACCEPT') continue;
    const cond = [...fieldsText(p.rule), ...p.beyond];
    const from = BASE.has(p.chain) ? [{ base: p.chain, cond: [] as string[] }] : (reach.get(p.chain) ?? []);
    for (const f of from)
      (reach.get(p.target) ?? reach.set(p.target, []).get(p.target)!).push({ base: f.base, cond: [...f.cond, ...cond.map((c) => `${c} (to ${p.target})`)] });
  }
  return parsed.map(({ line, p }) => {
    if (!p) return { line, chain: '', beyond: [] };
    const action = p.target ? ACTIONS[p.target] : undefined;
    if (!action) return { line, chain: p.chain, beyond: [] };
    const want = action === 'dnat' ? 'PREROUTING' : 'POSTROUTING';
    const ways = BASE.has(p.chain) ? [{ base: p.chain, cond: [] as string[] }] : (reach.get(p.chain) ?? []);
    const way = ways.find((x) => x.base === want);
    if (!way) return { line, chain: p.chain, beyond: [] };
    const rule = { ...p.rule, action } as NatRule;
    const also = ways.filter((x) => x !== way).map((x) => `also from ${x.base}`);
    return { line, chain: p.chain, rule, beyond: [...way.cond, ...p.beyond, ...also] };
  });
}

function fieldsText(r: Partial<NatRule>): string[] {
  const out: string[] = [];
  if (r.source) out.push(`-s ${r.source}`);
  if (r.destination) out.push(`-d ${r.destination}`);
  if (r.inInterface) out.push(`-i ${r.inInterface}`);
  if (r.outInterface) out.push(`-o ${r.outInterface}`);
  if (r.protocol) out.push(`-p ${r.protocol}`);
  if (r.port !== undefined) out.push(`--dport ${r.port}`);
  return out;
}
