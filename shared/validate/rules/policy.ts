/**
 * Rules about policy routing: the names a namespace gives its tables, every
 * table reference resolving to a number, policy rules that the kernel would take
 * (one rule per priority and family, prefixes of one family, a table exactly when
 * the action looks one up), and tables that are wired up: routes in a table no
 * rule (or VRF) looks up are dead, a rule that looks up a table with no routes
 * sends its traffic on to the next rule (a warning: it may be filled later).
 * In `host`, whose tables the document does not fully describe, the dead-table
 * rule is a warning.
 */
import { HOST_NS, type Topology } from '../../model/schema';
import { DEFAULT_RULE_PRIORITIES, KERNEL_TABLES, routeTableId, ruleFamily, tableId, tableLabel } from '../../model/tables';
import { issue, q, type ValidationIssue } from '../issue';
import { parseCidr, parseIp } from '../ip';

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const KERNEL_IDS = new Set(Object.values(KERNEL_TABLES));

/** A rule's `from`/`to`: a prefix or a single address; its family, or null when it is neither. */
function prefixFamily(s: string): 4 | 6 | null {
  const c = parseCidr(s) ?? (parseIp(s) ? parseCidr(`${s}/${s.includes(':') ? 128 : 32}`) : null);
  return c ? (c.kind === 'ipv4' ? 4 : 6) : null;
}

export function policyRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.namespaces.forEach((n, ni) => {
    const base = ['namespaces', ni];
    const names = n.tables;
    const ids = new Map<number, string>();
    for (const [name, id] of Object.entries(names ?? {})) {
      const path = [...base, 'tables', name];
      if (!TABLE_NAME.test(name) || name in KERNEL_TABLES || /^\d+$/.test(name)) {
        out.push(
          issue(
            'table-name-invalid',
            path,
            `table name ${q(name)} must be a word (letters, digits, "_", ".", "-"; not a number) other than the kernel's main, local and default`,
          ),
        );
      } else if (KERNEL_IDS.has(id)) {
        out.push(issue('table-name-invalid', path, `table ${id} is the kernel's ${tableLabel(id, undefined)} table: call it by that name`));
      } else if (ids.has(id)) {
        out.push(issue('table-name-invalid', path, `table ${id} is already named ${q(ids.get(id)!)}`));
      } else ids.set(id, name);
    }
    const resolve = (ref: string | number, path: (string | number)[]): number | undefined => {
      const id = tableId(ref, names);
      if (id === undefined) {
        const declared = Object.keys(names ?? {});
        out.push(
          issue(
            'unknown-table',
            path,
            `table ${q(String(ref))} is not main, local, default${declared.length ? ` or one of ${declared.join(', ')}` : ''}: name it under \`tables\``,
          ),
        );
      }
      return id;
    };

    // which tables hold routes, and which are looked up
    const routed = new Map<number, (string | number)[]>();
    n.routes.forEach((r, ri) => {
      const id = r.table === undefined ? routeTableId(r, names) : resolve(r.table, [...base, 'routes', ri, 'table']);
      if (id !== undefined && !routed.has(id)) routed.set(id, [...base, 'routes', ri, 'table']);
    });
    const lookedUp = new Set<number>([...KERNEL_IDS, ...n.vrfs.map((v) => v.table)]);
    const seen = new Map<string, number>();
    (n.rules ?? []).forEach((r, ri) => {
      const path = [...base, 'rules', ri];
      let family: 4 | 6 | undefined = r.family;
      for (const k of ['from', 'to'] as const) {
        const v = r[k];
        if (v === undefined) continue;
        const f = prefixFamily(v);
        if (f === null) out.push(issue('invalid-prefix', [...path, k], `rule ${k} ${q(v)} is not a prefix such as 10.1.0.0/16 or an address`));
        else if (family !== undefined && f !== family)
          out.push(issue('rule-family-mismatch', [...path, k], `rule ${k} ${v} is IPv${f} but the rule is IPv${family}`));
        else family = f;
      }
      const action = r.action ?? 'lookup';
      if (action === 'lookup' && r.table === undefined) out.push(issue('rule-table', path, 'a lookup rule needs `table`: which table to look up'));
      if (action !== 'lookup' && r.table !== undefined) out.push(issue('rule-table', [...path, 'table'], `a ${action} rule looks up no table: drop \`table\``));
      if (r.fwmask !== undefined && r.fwmark === undefined) out.push(issue('rule-table', [...path, 'fwmask'], '`fwmask` needs `fwmark`'));
      const fam = ruleFamily({ ...r, family });
      const key = `${fam}|${r.priority}`;
      const kernel = DEFAULT_RULE_PRIORITIES[r.priority];
      if (kernel) {
        out.push(
          issue(
            'duplicate-rule-priority',
            [...path, 'priority'],
            `priority ${r.priority} is the kernel's own "lookup ${kernel}" rule, which stays implicit: pick another priority`,
          ),
        );
      } else if (seen.has(key)) {
        out.push(
          issue(
            'duplicate-rule-priority',
            [...path, 'priority'],
            `an IPv${fam} rule with priority ${r.priority} is already at rules[${seen.get(key)}]: each rule needs its own priority`,
          ),
        );
      } else seen.set(key, ri);
      if (action !== 'lookup' || r.table === undefined) return;
      const id = resolve(r.table, [...path, 'table']);
      if (id === undefined) return;
      lookedUp.add(id);
      if (!routed.has(id) && !KERNEL_IDS.has(id) && !n.vrfs.some((v) => v.table === id)) {
        out.push(
          issue(
            'rule-table-empty',
            [...path, 'table'],
            `table ${tableLabel(id, names)} has no routes in the document: traffic this rule matches goes on to the next rule`,
            'warning',
          ),
        );
      }
    });
    for (const [id, path] of routed) {
      if (lookedUp.has(id)) continue;
      out.push(
        issue(
          'table-unused',
          path,
          `nothing routes through table ${tableLabel(id, names)}: no rule (or VRF) of namespace ${q(n.name)} looks it up, so its routes are never used`,
          n.name === HOST_NS ? 'warning' : 'error',
        ),
      );
    }
  });
  return out;
}
