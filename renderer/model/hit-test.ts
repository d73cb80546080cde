/**
 * Which box is under a point of the flow, from the derived nodes alone: the overview
 * layer draws namespaces on one canvas (no DOM node to receive a click), so a click
 * on it is resolved here. The smallest box wins (a bridge before the host region
 * around it), as the DOM's stacking would pick it when zoomed in.
 */
import type { Pos } from './edits';
import type { FlowNode } from './to-flow';

export function nodeAtFlowPoint(nodes: readonly FlowNode[], at: Pos): string | undefined {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const origin = (n: FlowNode): Pos => {
    let x = n.position.x;
    let y = n.position.y;
    for (let p = n.parentId ? byId.get(n.parentId) : undefined; p; p = p.parentId ? byId.get(p.parentId) : undefined) {
      x += p.position.x;
      y += p.position.y;
    }
    return { x, y };
  };
  let best: { id: string; area: number } | undefined;
  for (const n of nodes) {
    if (n.selectable === false) continue;
    const w = n.width ?? 0;
    const h = n.height ?? 0;
    const o = origin(n);
    if (at.x < o.x || at.y < o.y || at.x > o.x + w || at.y > o.y + h) continue;
    if (!best || w * h < best.area) best = { id: n.id, area: w * h };
  }
  return best?.id;
}
