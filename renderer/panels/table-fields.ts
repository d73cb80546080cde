/** The inspector's routing-table fields: a table is a number or a name the namespace knows. */
import type { Namespace, Route, TableRef } from '../../shared/model/schema';
import { routeTableId, tableId, tableLabel } from '../../shared/model/tables';

/** Empty: main (omitted). A number 1..2³²-1, or main/local/default/one of the namespace's `tables`. */
export const checkTable =
  (ns: Namespace) =>
  (v: string): string | undefined => {
    if (v === '') return undefined;
    const id = tableId(/^\d+$/.test(v) ? Number(v) : v, ns.tables);
    if (id === undefined)
      return `${v} is not a table number or a name of this namespace (main, local, default${Object.keys(ns.tables ?? {})
        .map((n) => `, ${n}`)
        .join('')})`;
    if (id < 1 || id > 4294967295) return 'a table number is 1 to 4294967295';
    return undefined;
  };

/** What a table field holds: undefined (main), a number, or a name as typed. */
export const tableRef = (v: string): TableRef | undefined => (v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : v);

/**
 * A namespace's routes grouped by the table they live in (main first, then by
 * number), each with its index in `routes`. One group without a heading when
 * everything is in main.
 */
export function routesByTable(ns: Namespace): { table?: string; items: { route: Route; index: number }[] }[] {
  const groups = new Map<number, { route: Route; index: number }[]>();
  ns.routes.forEach((route, index) => {
    const id = routeTableId(route, ns.tables) ?? -1;
    groups.set(id, [...(groups.get(id) ?? []), { route, index }]);
  });
  if (groups.size <= 1 && (groups.has(254) || groups.size === 0)) return [{ items: ns.routes.map((route, index) => ({ route, index })) }];
  const rank = (id: number) => (id === 254 ? -2 : id);
  return [...groups.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([id, items]) => ({ table: id < 0 ? '?' : tableLabel(id, ns.tables), items }));
}
