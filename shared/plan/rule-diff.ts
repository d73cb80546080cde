/**
 * The policy-rule diff: what must change so a namespace's rules (beyond the
 * kernel's own) are the document's. Rules are keyed by family and priority
 * (../model/ids.ts objectKey.rule); the kernel has no `ip rule replace`, so a rule
 * that differs is deleted and added again. Ownership as for routes: a rule the
 * document does not mention is deleted only when this product made it; one the
 * document names in another form is replaced, marked unmanaged when not ours.
 * Namespaces that go away take their rules with them (no step).
 *
 * Pure: two maps of canonical rules in, the changes out, in the maps' order
 * (deletions in the observed order, additions in the document's).
 */
import type { PolicyRule } from '../model/schema';
import { sameJson, type RuleState } from './state';

export type RuleChange =
  /** a rule the host has and the document does not (ours), or has in another form (replaced: deleted first) */
  | { kind: 'delete'; key: string; ns: string; rule: PolicyRule; replaced: boolean; unmanaged: boolean }
  /** a rule the document has and the host lacks (or lost to a replacement) */
  | { kind: 'add'; key: string; ns: string; rule: PolicyRule; replaces?: PolicyRule; unmanaged: boolean };

export interface RuleDiffInput {
  want: ReadonlyMap<string, RuleState>;
  have: ReadonlyMap<string, RuleState>;
  owned: (key: string) => boolean;
  /** namespaces deleted as a whole: their rules go with them */
  nsGone?: ReadonlySet<string>;
}

export function diffRules({ want, have, owned, nsGone = new Set() }: RuleDiffInput): RuleChange[] {
  const out: RuleChange[] = [];
  for (const [key, h] of have) {
    if (nsGone.has(h.ns)) continue;
    const w = want.get(key);
    if (w && sameJson(w.rule, h.rule)) continue;
    if (!w && !owned(key)) continue; // someone else's rule the document does not mention: left alone
    out.push({ kind: 'delete', key, ns: h.ns, rule: h.rule, replaced: w !== undefined, unmanaged: !owned(key) });
  }
  for (const [key, w] of want) {
    const h = have.get(key);
    if (h && !nsGone.has(h.ns) && sameJson(w.rule, h.rule)) continue;
    const replaces = h && !nsGone.has(h.ns) ? h.rule : undefined;
    out.push({ kind: 'add', key, ns: w.ns, rule: w.rule, ...(replaces ? { replaces } : {}), unmanaged: replaces !== undefined && !owned(key) });
  }
  return out;
}

/** A rule as `ip rule` prints it, for reasons and the plan dialog: `100: from 10.0.0.0/24 lookup 102`. */
export function ruleText(r: PolicyRule): string {
  return [
    `${r.priority}:`,
    r.from ? `from ${r.from}` : 'from all',
    r.to ? `to ${r.to}` : '',
    r.iif ? `iif ${r.iif}` : '',
    r.oif ? `oif ${r.oif}` : '',
    r.fwmark !== undefined ? `fwmark 0x${r.fwmark.toString(16)}${r.fwmask !== undefined ? `/0x${r.fwmask.toString(16)}` : ''}` : '',
    r.action && r.action !== 'lookup' ? r.action : `lookup ${r.table ?? 'main'}`,
  ]
    .filter(Boolean)
    .join(' ');
}
