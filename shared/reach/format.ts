/**
 * Reachability results as text for people: `why` (the path, or where and why it
 * stops) and one matrix line per pair.
 *
 * Pure: no node:* imports.
 */
import type { ReachResult } from './result';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function formatWhy(r: ReachResult): string {
  const head = `${r.from} → ${r.to}${r.toNamespace ? ` (${r.toNamespace})` : ''}: ${r.predicted}, ${r.reason}`;
  const lines = [head];
  const nsWidth = Math.min(24, Math.max(4, ...r.hops.map((h) => h.ns.length)));
  for (const h of r.hops) {
    if (h.kind === 'fail') continue;
    lines.push(`  ${pad(h.direction, 7)} ${pad(h.ns, nsWidth)} ${pad(h.kind, 8)} ${h.text}${h.entry ? `   [${h.entry}]` : ''}`);
  }
  const f = r.failure;
  if (f) {
    lines.push(
      `  ${r.predicted === 'unknown' ? 'UNKNOWN' : 'FAILS'} at ${f.direction} hop in ${f.ns}${f.iface ? ` (${f.iface})` : ''} [${f.code}]: ${f.reason}`,
    );
    if (f.entry) lines.push(`    entry: ${f.entry}`);
    lines.push(`    fix: ${f.fix}`);
  }
  return lines.join('\n');
}

export interface MatrixRow extends ReachResult {
  actual?: 'ok' | 'fail';
}

export function formatMatrix(rows: MatrixRow[]): string {
  // loops, not spreads: a 200-namespace matrix has 40 000 rows
  const target = (r: MatrixRow) => (r.toNamespace ? `${r.to} (${r.toNamespace})` : r.to);
  let w1 = 4;
  let w2 = 2;
  let verify = false;
  const n = { ok: 0, fail: 0, unknown: 0 };
  let off = 0;
  for (const r of rows) {
    w1 = Math.max(w1, r.from.length);
    w2 = Math.max(w2, target(r).length);
    if (r.actual) verify = true;
    n[r.predicted]++;
    if (r.actual && r.actual !== r.predicted) off++;
  }
  const lines = [`${pad('FROM', w1)}  ${pad('TO', w2)}  ${pad('PREDICTED', 9)}${verify ? '  ACTUAL' : ''}  REASON`];
  for (const r of rows) {
    const disagree = r.actual && r.actual !== r.predicted ? '  ≠' : '';
    lines.push(`${pad(r.from, w1)}  ${pad(target(r), w2)}  ${pad(r.predicted, 9)}${verify ? `  ${pad(r.actual ?? '-', 6)}` : ''}  ${r.reason}${disagree}`);
  }
  lines.push(`${rows.length} pairs: ${n.ok} ok, ${n.fail} fail, ${n.unknown} unknown${verify ? `; ${off} disagree with ping` : ''}`);
  return lines.join('\n');
}
