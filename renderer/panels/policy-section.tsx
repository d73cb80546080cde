/**
 * The namespace inspector's policy routing: the names of its tables and its
 * policy rules (`ip rule`), each edited field by field like routes. The kernel's
 * own rules (local, main, default) are implicit and not listed.
 */
import { useState } from 'react';
import { RULE_ACTIONS, type Namespace, type PolicyRule } from '../../shared/model/schema';
import { ruleFamily, tableLabel } from '../../shared/model/tables';
import { ruleText } from '../../shared/plan/rule-diff';
import { parseCidr, parseIp } from '../../shared/validate/ip';
import { Section, SelectField, TextField, checkIfname, checkInt } from './fields';
import { checkTable, tableRef } from './table-fields';

/** `uplink1=101, uplink2=102` ⇄ { uplink1: 101, uplink2: 102 } */
const tablesText = (t: Namespace['tables']) =>
  Object.entries(t ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
function parseTables(v: string): Record<string, number> | string {
  const out: Record<string, number> = {};
  for (const part of v.split(/[\s,]+/).filter(Boolean)) {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)=(\d{1,10})$/.exec(part);
    if (!m) return `${part}: write NAME=NUMBER, e.g. uplink1=101`;
    out[m[1]] = Number(m[2]);
  }
  return out;
}
const checkSelector = (v: string) => (v === '' || parseCidr(v) || parseIp(v) ? undefined : `${v} is not an address or prefix such as 10.1.0.0/24`);
/** fwmark / fwmask: decimal or 0x hex */
const mark = (v: string) => (v === '' ? undefined : Number(v));
const checkMark = (v: string) =>
  v === '' || (/^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(v) && Number(v) <= 4294967295) ? undefined : `${v} is not a mark (a number, or hex as 0x10)`;
const hex = (n: number | undefined) => (n === undefined ? '' : `0x${n.toString(16)}`);

export function PolicySection({ ns, set }: { ns: Namespace; set: (patch: Partial<Namespace>) => void }) {
  const rules = ns.rules ?? [];
  const [sel, setSel] = useState(0);
  const ri = Math.min(sel, rules.length - 1);
  const r = rules[ri];
  const setRules = (next: PolicyRule[]) => set({ rules: next.length ? next : undefined });
  const patch = (p: Partial<PolicyRule>) => {
    const next = { ...r, ...p } as PolicyRule;
    for (const k of Object.keys(next) as (keyof PolicyRule)[]) if (next[k] === undefined) delete next[k];
    setRules(rules.map((x, i) => (i === ri ? next : x)));
  };
  const nextPriority = () => Math.max(99, ...rules.map((x) => x.priority)) + 1;
  return (
    <Section
      title={`Policy rules (${rules.length})`}
      actions={
        <button
          type="button"
          data-testid="inspector-rule-add"
          aria-label="add policy rule"
          onClick={() => (setRules([...rules, { priority: nextPriority(), table: 'main' }]), setSel(rules.length))}
        >
          + rule
        </button>
      }
    >
      <TextField
        field="tables"
        label="Table names"
        placeholder="uplink1=101, uplink2=102"
        value={tablesText(ns.tables)}
        check={(v) => {
          const t = parseTables(v);
          return typeof t === 'string' ? t : undefined;
        }}
        onCommit={(v) => {
          const t = parseTables(v);
          if (typeof t !== 'string') set({ tables: Object.keys(t).length ? t : undefined });
        }}
      />
      <ul className="rows">
        {rules.map((x, i) => (
          <li key={i} className={i === ri ? 'active' : ''} data-testid={`inspector-rule-${i}`} onClick={() => setSel(i)}>
            {ruleFamily(x) === 6 ? '-6 ' : ''}
            {ruleText({ ...x, table: x.table === undefined ? undefined : typeof x.table === 'number' ? tableLabel(x.table, ns.tables) : x.table })}
          </li>
        ))}
      </ul>
      {r && (
        <div className="subform" aria-label="policy rule">
          <TextField
            field="rule-priority"
            label="Priority"
            value={String(r.priority)}
            check={checkInt(0, 4294967295, false)}
            onCommit={(v) => patch({ priority: Number(v) })}
          />
          <SelectField
            field="rule-family"
            label="Family"
            value={r.family ? String(r.family) : ''}
            options={['', '4', '6']}
            onChange={(v) => patch({ family: v === '' ? undefined : (Number(v) as 4 | 6) })}
          />
          <TextField
            field="rule-from"
            label="From"
            value={r.from ?? ''}
            placeholder="all"
            check={checkSelector}
            onCommit={(v) => patch({ from: v || undefined })}
          />
          <TextField field="rule-to" label="To" value={r.to ?? ''} placeholder="all" check={checkSelector} onCommit={(v) => patch({ to: v || undefined })} />
          <TextField
            field="rule-iif"
            label="In interface"
            value={r.iif ?? ''}
            list="ifnames"
            check={(v) => (v ? checkIfname(v) : undefined)}
            onCommit={(v) => patch({ iif: v || undefined })}
          />
          <TextField
            field="rule-oif"
            label="Out interface"
            value={r.oif ?? ''}
            list="ifnames"
            check={(v) => (v ? checkIfname(v) : undefined)}
            onCommit={(v) => patch({ oif: v || undefined })}
          />
          <TextField
            field="rule-fwmark"
            label="Firewall mark"
            value={hex(r.fwmark)}
            check={checkMark}
            onCommit={(v) => patch({ fwmark: mark(v), ...(v === '' ? { fwmask: undefined } : {}) })}
          />
          <TextField
            field="rule-fwmask"
            label="Mark mask"
            value={hex(r.fwmask)}
            placeholder="0xffffffff"
            check={checkMark}
            onCommit={(v) => patch({ fwmask: mark(v) })}
          />
          <SelectField
            field="rule-action"
            label="Action"
            value={r.action ?? 'lookup'}
            options={RULE_ACTIONS}
            onChange={(v) => patch(v === 'lookup' ? { action: undefined, table: r.table ?? 'main' } : { action: v as PolicyRule['action'], table: undefined })}
          />
          {(r.action ?? 'lookup') === 'lookup' && (
            <TextField
              field="rule-table"
              label="Table"
              value={r.table === undefined ? '' : String(r.table)}
              check={checkTable(ns)}
              onCommit={(v) => patch({ table: tableRef(v) })}
            />
          )}
          <button type="button" data-testid="inspector-rule-remove" onClick={() => setRules(rules.filter((_, i) => i !== ri))}>
            Remove rule
          </button>
        </div>
      )}
    </Section>
  );
}
