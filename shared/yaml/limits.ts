/**
 * What a topology file may cost before we refuse to read it (issue 15). A
 * hostile file must be cheap to refuse: checked on the text before parsing
 * (size, flow nesting, which made yaml's parser die of memory at 10 000 `[`),
 * then on the parsed tree before `toJS` (nesting, aliases, and the number of
 * nodes the document would have once every alias is expanded: yaml's own
 * `maxAliasCount` still lets one anchor be aliased 100 times, so an 850 KB file
 * became ~100× larger for zod and the rules).
 *
 * The figures leave room: the largest scenario in bench/ (500 namespaces) is
 * ~15 000 nodes, 2 × 10 000 addresses ~20 000.
 */
import { isAlias, isCollection, isPair, isScalar, type Document, type Node } from 'yaml';

export const DOCUMENT_LIMITS = {
  /** characters of text */
  bytes: 4 * 1024 * 1024,
  /** nested collections (a topology needs 6) */
  depth: 64,
  /** alias nodes (`*name`); yaml resolves each by scanning every anchor, so many aliases are quadratic */
  aliases: 1000,
  /** nodes after alias expansion */
  nodes: 500_000,
};

export type LimitsProblem = { code: 'document-too-large'; message: string; offset: number };

const fail = (message: string, offset = 0): LimitsProblem => ({ code: 'document-too-large', message, offset });

/**
 * Text checks: size, and the depth of flow collections (`[`/`{`), skipping
 * quoted strings and comments. Block nesting needs indentation, so the size cap
 * bounds it (and yaml reports a too-deep block as an error of its own).
 */
export function checkText(text: string, limits = DOCUMENT_LIMITS): LimitsProblem | null {
  if (text.length > limits.bytes) {
    return fail(`the file is ${(text.length / 1024 / 1024).toFixed(1)} MB; a topology file may be at most ${limits.bytes / 1024 / 1024} MB`);
  }
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limits.depth) return fail(`collections nested more than ${limits.depth} deep`, i);
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      if (depth > 0) depth--;
    } else if (c === 0x22 /* " */) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c /* \ */) i++;
    } else if (c === 0x27 /* ' */ && (i === 0 || /[\s[{,:]/.test(text[i - 1]))) {
      // a quote inside a plain scalar (don't) is just a character
      for (i++; i < text.length && text.charCodeAt(i) !== 0x27; i++);
    } else if (c === 0x23 /* # */ && (i === 0 || /\s/.test(text[i - 1]))) {
      while (i < text.length && text.charCodeAt(i) !== 0x0a) i++;
    }
  }
  return null;
}

/**
 * Tree checks, without recursion (a deep tree must not overflow our stack
 * either): depth, alias count, and the expanded node count, where an alias
 * counts as the whole subtree of its anchor. Anchors are resolved to the last
 * one of that name before the alias, as yaml does, in one pass in document order.
 */
export function checkTree(doc: Document, limits = DOCUMENT_LIMITS): LimitsProblem | null {
  const root = doc.contents as Node | null;
  if (!root) return null;
  /** the expanded size of each anchored node, once its subtree is done */
  const anchored = new Map<string, number>();
  let aliases = 0;
  // post-order walk: a frame sums its children's sizes
  type Frame = { node: unknown; depth: number; children: unknown[]; next: number; size: number };
  const childrenOf = (n: unknown): unknown[] => {
    if (isPair(n)) return [n.key, n.value];
    if (isCollection(n)) return n.items as unknown[];
    return [];
  };
  const stack: Frame[] = [{ node: root, depth: 1, children: childrenOf(root), next: 0, size: 1 }];
  let total = 0;
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (child === null || child === undefined) continue;
      if (isAlias(child)) {
        if (++aliases > limits.aliases) return fail(`more than ${limits.aliases} aliases (*name)`, child.range?.[0]);
        // an unknown anchor is yaml's error to report, at toJS
        top.size += anchored.get(child.source) ?? 1;
        if (top.size > limits.nodes) return tooMany(limits, child.range?.[0]);
        continue;
      }
      const depth = top.depth + (isPair(child) ? 0 : 1);
      if (depth > limits.depth) return fail(`collections nested more than ${limits.depth} deep`, (child as Node).range?.[0]);
      stack.push({ node: child, depth, children: childrenOf(child), next: 0, size: isPair(child) ? 0 : 1 });
      continue;
    }
    stack.pop();
    const anchor = isScalar(top.node) || isCollection(top.node) ? top.node.anchor : undefined;
    if (anchor) anchored.set(anchor, top.size);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.size += top.size;
      if (parent.size > limits.nodes) return tooMany(limits, (top.node as Node).range?.[0]);
    } else {
      total = top.size;
    }
  }
  return total > limits.nodes ? tooMany(limits, 0) : null;
}

const tooMany = (limits: typeof DOCUMENT_LIMITS, offset?: number) =>
  fail(`the document would have more than ${limits.nodes.toLocaleString('en-US')} values once its aliases (*name) are expanded`, offset);
