/**
 * Saving after an edit: the new topology is merged into the YAML Document that was
 * loaded, node by node, so comments, key order, quoting and flow style survive and
 * the diff shows only what changed. List items are matched by identity (a name, a
 * veth's first end, a route's destination) before position, so deleting or
 * reordering items carries their comments along.
 */
import { Document, isMap, isNode, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Topology } from '../model/schema';
import { saysNothing, stripDefaults } from './defaults';

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyOf = (k: unknown): unknown => (isScalar(k) ? k.value : k);

/** What makes a list item the same item after an edit (undefined: match by position). */
function identity(value: unknown): string | undefined {
  if (!isPlainObject(value)) return undefined;
  if (typeof value.name === 'string') return `${typeof value.namespace === 'string' ? value.namespace : ''}/${value.name}`;
  if (Array.isArray(value.ends) && isPlainObject(value.ends[0])) return `veth:${String(value.ends[0].namespace)}/${String(value.ends[0].name)}`;
  if (typeof value.to === 'string') return `route:${String(value.table ?? '')}/${value.to}/${String(value.metric ?? '')}`;
  return undefined;
}

function createNode(doc: Document, value: unknown, like?: Node): Node {
  const node = doc.createNode(stripDefaults(value)) as Node;
  if (like) {
    node.commentBefore = like.commentBefore;
    node.comment = like.comment;
    if ((isMap(like) || isSeq(like)) && (isMap(node) || isSeq(node))) node.flow = like.flow;
  }
  return node;
}

function mergeValue(doc: Document, existing: unknown, value: unknown): Node {
  if (isMap(existing) && isPlainObject(value)) {
    mergeMap(doc, existing, value);
    return existing;
  }
  if (isSeq(existing) && Array.isArray(value)) {
    mergeSeq(doc, existing, value);
    return existing;
  }
  if (isScalar(existing) && (value === null || typeof value !== 'object')) {
    if (existing.value !== value) existing.value = value;
    return existing;
  }
  return createNode(doc, value, isNode(existing) ? existing : undefined);
}

function mergeMap(doc: Document, map: YAMLMap, value: Record<string, unknown>): void {
  for (const pair of [...map.items]) {
    const k = keyOf(pair.key);
    // own keys only: a key named like an Object.prototype member (`toString`) is data here
    if (typeof k !== 'string' || !Object.hasOwn(value, k) || value[k] === undefined) map.delete(pair.key);
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const pair = map.items.find((p) => keyOf(p.key) === k);
    if (!pair) {
      if (saysNothing(k, v)) continue;
      map.items.push(doc.createPair(k, createNode(doc, v)));
      continue;
    }
    pair.value = mergeValue(doc, pair.value, v);
  }
}

function mergeSeq(doc: Document, seq: YAMLSeq, values: unknown[]): void {
  // yaml hangs a comment above the first item on the list itself; it belongs to that item.
  const first = seq.items[0];
  if (seq.commentBefore && !seq.flow && isNode(first)) {
    first.commentBefore = first.commentBefore ? `${seq.commentBefore}\n${first.commentBefore}` : seq.commentBefore;
    seq.commentBefore = undefined;
  }
  const old = seq.items.map((item) => ({ item, id: identity(isNode(item) ? item.toJSON() : item), used: false }));
  const items: unknown[] = [];
  values.forEach((v, i) => {
    const id = identity(v);
    let match = id === undefined ? undefined : old.find((o) => !o.used && o.id === id);
    if (!match && old[i] && !old[i].used && (id === undefined || !values.some((w) => identity(w) === old[i].id))) match = old[i];
    if (match) {
      match.used = true;
      items.push(mergeValue(doc, match.item, v));
    } else {
      items.push(createNode(doc, v));
    }
  });
  seq.items = items;
}

/**
 * Writes `topology` into `yamlDoc` (in place) and returns the new text. The
 * document is the one `loadTopology` returned; comments and formatting of
 * everything that did not change are kept.
 */
export function saveTopology(yamlDoc: Document, topology: Topology): string {
  if (isMap(yamlDoc.contents)) mergeMap(yamlDoc, yamlDoc.contents, topology as unknown as Record<string, unknown>);
  else yamlDoc.contents = createNode(yamlDoc, topology) as typeof yamlDoc.contents;
  return yamlDoc.toString({ lineWidth: 0 });
}
