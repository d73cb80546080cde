/**
 * Node sizes, fixed up front: React Flow then skips its measuring pass (see the
 * canvas performance notes) and the layout knows every box before it is drawn.
 */
export const NS_W = 250;
export const NS_HEADER = 34;
export const PORT_H = 34;
export const CHILD_H = 58;
export const BR_H = 48;
export const NS_PAD = 10;
export const FW_W = 170;
export const FW_H = 44;
/** below this zoom the canvas switches to compact nodes and one overlay for all edges */
export const COMPACT_ZOOM = 0.45;
export const COMPACT_H = 36;

export function namespaceHeight(ports: number, children: number): number {
  return NS_HEADER + ports * PORT_H + children * CHILD_H + (ports || children ? NS_PAD : 0) + NS_PAD;
}

export function portY(index: number): number {
  return NS_HEADER + index * PORT_H + PORT_H / 2;
}

export function childY(ports: number, index: number): number {
  return NS_HEADER + ports * PORT_H + NS_PAD + index * CHILD_H;
}
