/**
 * Finds where a document path sits in the YAML text. zod issues and semantic rules
 * speak in paths (`veths[0].ends[1].name`); people need a line and a column. When
 * the path runs past what the file spells out (a field filled by a default, a
 * missing required key) the nearest enclosing node is the answer.
 */
import { isMap, isNode, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DocPath } from './errors';

export interface Position {
  line: number;
  column: number;
}

function keyEquals(key: unknown, seg: string | number): boolean {
  if (isScalar(key)) return String(key.value) === String(seg);
  return String(key) === String(seg);
}

/**
 * Line/column of `path` in `doc`. With `atKey`, points at the key of the last
 * segment rather than its value (for "unknown field" errors).
 */
export function locatePath(doc: Document, lineCounter: LineCounter, path: DocPath, atKey = false): Position {
  let node: Node | null = (doc.contents as Node | null) ?? null;
  let found: Node | null = node;
  // Nodes made by a migration have no source range: walk through them, keep the last placed one.
  const placed = (n: unknown): n is Node => isNode(n) && !!n.range;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyEquals(p.key, seg));
      if (!pair) break;
      const valueNode = (pair.value as Node | null) ?? null;
      // A block collection starts on the line after its key: the key is where people look.
      const blockValue = (isMap(valueNode) || isSeq(valueNode)) && !valueNode.flow;
      if ((last && (atKey || blockValue)) || !valueNode) {
        if (placed(pair.key)) found = pair.key;
        else if (placed(valueNode)) found = valueNode;
        break;
      }
      node = valueNode;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = (node.items[seg] as Node | undefined) ?? null;
      if (!item) break;
      node = item;
    } else {
      break;
    }
    if (placed(node)) found = node;
  }
  const offset = found?.range?.[0];
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}
