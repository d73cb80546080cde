/**
 * The topology as canonical YAML: keys in schema order, lists sorted where their
 * order means nothing to the kernel (namespaces, bridges, veths, VRFs, routes,
 * policy rules (by family and priority, as the kernel tries them), forwarders,
 * record keys), defaults left out. Two documents that mean the same
 * export to the same text, so files diff cleanly and tests can compare them.
 * Order is kept where it matters: addresses (the first is primary), NAT rules
 * (first match wins), nameservers and search domains (tried in order), veth ends.
 */
import { Document, isCollection, isScalar, visit } from 'yaml';
import { HOST_NS } from '../model/constants';
import { inSchemaOrder } from '../model/field-order';
import type { Namespace, PolicyRule, Route, Topology } from '../model/schema';
import { routeTableId, ruleFamily, type TableNames } from '../model/tables';
import { stripDefaults } from '../yaml/defaults';

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
const sortKeys = <T extends Record<string, unknown>>(r: T): T => Object.fromEntries(Object.entries(r).sort(([a], [b]) => cmp(a, b))) as T;

const routeOrder =
  (names: TableNames) =>
  (a: Route, b: Route): number => {
    return (
      cmp(routeTableId(a, names) ?? String(a.table), routeTableId(b, names) ?? String(b.table)) ||
      cmp(a.to === 'default' ? '' : a.to, b.to === 'default' ? '' : b.to) ||
      cmp(a.metric ?? 0, b.metric ?? 0) ||
      cmp(a.via ?? '', b.via ?? '') ||
      cmp(a.dev ?? '', b.dev ?? '')
    );
  };

/** Rules in the order the kernel tries them: IPv4 then IPv6, by priority. */
const ruleOrder = (a: PolicyRule, b: PolicyRule) => ruleFamily(a) - ruleFamily(b) || a.priority - b.priority;

function canonicalNamespace(n: Namespace): Namespace {
  return {
    ...n,
    sysctls: sortKeys(n.sysctls),
    routes: [...n.routes].sort(routeOrder(n.tables)),
    vrfs: [...n.vrfs].sort((a, b) => cmp(a.name, b.name)),
    ...(n.tables ? { tables: sortKeys(n.tables) } : {}),
    ...(n.rules ? { rules: [...n.rules].sort(ruleOrder) } : {}),
  };
}

/**
 * The same topology in canonical order, with defaults filled (a valid Topology value).
 * Without zod (../model/field-order.ts): discover prints its YAML through here.
 */
export function canonicalTopology(t: Topology): Topology {
  // every object's keys in schema order, as Topology.parse would give them (the spreads below keep it)
  const p = inSchemaOrder(t);
  return {
    ...p,
    namespaces: p.namespaces.map(canonicalNamespace).sort((a, b) => cmp(a.name === HOST_NS ? '' : a.name, b.name === HOST_NS ? '' : b.name)),
    bridges: [...p.bridges].sort((a, b) => cmp(a.namespace, b.namespace) || cmp(a.name, b.name)),
    veths: [...p.veths].sort((a, b) => cmp(a.ends[0].namespace, b.ends[0].namespace) || cmp(a.ends[0].name, b.ends[0].name)),
    forwarders: [...p.forwarders].sort((a, b) => cmp(a.name, b.name)),
    ...(p.layout ? { layout: { ...p.layout, positions: sortKeys(p.layout.positions) } } : {}),
  };
}

/** Short lists of atoms and canvas points read best on one line. */
const FLOW_LISTS = new Set(['addresses', 'nameservers', 'search']);

/** The document as canonical YAML text (what "Export → YAML" and `export --format yaml` write). */
export function exportYaml(t: Topology): string {
  const doc = new Document(stripDefaults(canonicalTopology(t)));
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof key === 'string' && FLOW_LISTS.has(key) && isCollection(pair.value)) pair.value.flow = true;
      if (key === 'positions' && isCollection(pair.value)) {
        for (const p of pair.value.items) if (p && typeof p === 'object' && 'value' in p && isCollection(p.value)) p.value.flow = true;
      }
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
