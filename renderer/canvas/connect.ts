/**
 * Drawing a veth with the mouse: from any connection handle (a namespace header's
 * "+", a port, a bridge) onto any namespace or bridge, its box or one of its
 * handles. React Flow connects only handle to handle; a drop anywhere else on a
 * node is found here from the DOM, so the whole box is a target.
 */
import { parseId } from '../model/doc-ids';
import type { EndSpec } from '../model/edits';

/** Where an end of a new veth goes: a namespace (its box or one of its ports) or a bridge/VRF (as master). */
export function endFor(node: string): EndSpec | undefined {
  const p = parseId(node);
  if (!p) return undefined;
  if (p.kind === 'namespace') return { namespace: p.ns };
  if (p.kind === 'bridge' || p.kind === 'vrf') return { namespace: p.ns, master: p.name };
  return undefined;
}

/** The topmost canvas node (a bridge before the namespace box around it) under a client point, as a veth end. */
export function nodeAtPoint(x: number, y: number, doc: Document = document): string | undefined {
  for (const el of doc.elementsFromPoint(x, y)) {
    const node = el.closest<HTMLElement>('.react-flow__node');
    const id = node?.dataset.id;
    if (id && endFor(id)) return id;
  }
  return undefined;
}

/** The client point of a mouse or touch event. */
export function clientPoint(e: MouseEvent | TouchEvent): { x: number; y: number } | undefined {
  if ('clientX' in e) return { x: e.clientX, y: e.clientY };
  const t = e.changedTouches[0];
  return t ? { x: t.clientX, y: t.clientY } : undefined;
}
