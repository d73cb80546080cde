/**
 * `iptables-save -t nat` → the document's NatRule, where a rule says what the
 * model can say (MASQUERADE/SNAT in POSTROUTING, DNAT in PREROUTING, with -s -d
 * -i -o -p --dport); everything else stays as raw lines in the observed model.
 */
import type { NatRule } from '../../shared/model/schema';

/** The `-A …` lines of one iptables-save block. */
export function natLines(block: string): string[] {
  return block.split('\n').filter((l) => l.startsWith('-A '));
}

/** iptables-save quotes arguments with spaces ("…"); split like it writes. */
function words(line: string): string[] {
  const out: string[] = [];
  for (const m of line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]);
  return out;
}

export function parseNatLine(line: string): NatRule | undefined {
  const w = words(line);
  if (w[0] !== '-A') return undefined;
  const chain = w[1];
  const r: Partial<NatRule> = {};
  for (let i = 2; i < w.length; i++) {
    const k = w[i];
    const v = w[i + 1];
    const take = () => {
      i++;
      return v;
    };
    if (k === '-s') r.source = take();
    else if (k === '-d') r.destination = take();
    else if (k === '-i') r.inInterface = take();
    else if (k === '-o') r.outInterface = take();
    else if (k === '-p') {
      if (v !== 'tcp' && v !== 'udp') return undefined;
      r.protocol = take() as 'tcp' | 'udp';
    } else if (k === '-m' && (v === 'tcp' || v === 'udp'))
      i++; // the implicit match iptables-save adds for --dport
    else if (k === '--dport') {
      const n = Number(take());
      if (!Number.isInteger(n)) return undefined;
      r.port = n;
    } else if (k === '-j') {
      const t = take();
      r.action = t === 'MASQUERADE' ? 'masquerade' : t === 'SNAT' ? 'snat' : t === 'DNAT' ? 'dnat' : undefined;
      if (!r.action) return undefined;
    } else if (k === '--to-source' || k === '--to-destination') r.toAddress = take();
    else return undefined; // anything the model cannot say: negations, other matches, options
  }
  if (!r.action) return undefined;
  if (r.action === 'dnat' ? chain !== 'PREROUTING' : chain !== 'POSTROUTING') return undefined;
  // iptables-save prints host addresses as /32: keep them as written by people
  for (const f of ['source', 'destination'] as const) if (r[f]?.endsWith('/32')) r[f] = r[f]!.slice(0, -3);
  return r as NatRule;
}
