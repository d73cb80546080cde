/** The inspector's routing-table fields: a table is a number or a name the namespace knows. */
import type { Namespace, TableRef } from '../../shared/model/schema';
import { tableId } from '../../shared/model/tables';

/** Empty: main (omitted). A number 1..2³²-1, or main/local/default/one of the namespace's `tables`. */
export const checkTable = (ns: Namespace) => (v: string): string | undefined => {
  if (v === '') return undefined;
  const id = tableId(/^\d+$/.test(v) ? Number(v) : v, ns.tables);
  if (id === undefined) return `${v} is not a table number or a name of this namespace (main, local, default${Object.keys(ns.tables ?? {}).map((n) => `, ${n}`).join('')})`;
  if (id < 1 || id > 4294967295) return 'a table number is 1 to 4294967295';
  return undefined;
};

/** What a table field holds: undefined (main), a number, or a name as typed. */
export const tableRef = (v: string): TableRef | undefined => (v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : v);
