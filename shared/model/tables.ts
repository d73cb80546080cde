/**
 * Routing tables and policy rules as the kernel numbers them: a document may name
 * a table (`main`, or a name from its namespace's `tables`), the kernel only knows
 * numbers. Everything that talks to the kernel (planner, exporters, reachability)
 * resolves names here, so a document never depends on the host's rt_tables.
 */
import type { PolicyRule, Route, TableRef } from './schema';

/** The kernel's own tables, by the names iproute2 gives them. */
export const KERNEL_TABLES: Readonly<Record<string, number>> = { default: 253, main: 254, local: 255 };
export const MAIN_TABLE = 254;
export const LOCAL_TABLE = 255;

/** The names a namespace may use for tables: its own `tables` and the kernel's. */
export type TableNames = Readonly<Record<string, number>> | undefined;

/** The number of a table reference, or undefined for a name nobody declared. */
export function tableId(ref: TableRef, names: TableNames): number | undefined {
  if (typeof ref === 'number') return ref;
  const t = ref.trim();
  if (/^\d+$/.test(t)) return Number(t);
  return KERNEL_TABLES[t] ?? (names && Object.prototype.hasOwnProperty.call(names, t) ? names[t] : undefined);
}

/** The table a route lives in: its `table`, else local (255) for a local route, else main. */
export function routeTableId(r: Pick<Route, 'table' | 'type'>, names: TableNames): number | undefined {
  if (r.table === undefined) return r.type === 'local' ? LOCAL_TABLE : MAIN_TABLE;
  return tableId(r.table, names);
}

/** A table's name for people: the document's own name when it has one, else the kernel's, else the number. */
export function tableLabel(id: number, names: TableNames): string {
  for (const [n, v] of Object.entries(names ?? {})) if (v === id) return n;
  for (const [n, v] of Object.entries(KERNEL_TABLES)) if (v === id) return n;
  return String(id);
}

/** The family of a rule: explicit, else from its prefixes, else IPv4 (as `ip rule` without -6). */
export function ruleFamily(r: Pick<PolicyRule, 'family' | 'from' | 'to'>): 4 | 6 {
  if (r.family) return r.family;
  return [r.from, r.to].some((x) => x !== undefined && x.includes(':')) ? 6 : 4;
}

/** The kernel's default rules of each family, which documents leave implicit. */
export const DEFAULT_RULE_PRIORITIES: Readonly<Record<number, string>> = { 0: 'local', 32766: 'main', 32767: 'default' };
