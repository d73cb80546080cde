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
/** a bridge or VRF drawn inside its namespace box */
export const BR_W = NS_W - 20;
/** the header's connection handles (drag one onto another node to draw a veth) */
export const CONNECT_HANDLE = 14;
export const CONNECT_Y = 17;
export const FW_H = 44;
/**
 * Below this zoom the canvas switches to compact nodes and one overlay for all
 * edges, whose labels are sized on screen. 0.7: the nodes' 13 px text is 9 px on
 * screen there; any smaller and the DOM names stop being readable.
 */
export const COMPACT_ZOOM = 0.7;
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

const MEMBER_GAP = 4;
const MEMBER_MAX_W = 72;
const MEMBER_PAD = 8;

/** Where bridge member k of n sits (its chip, and the handle its veth leaves from, at the chip's bottom centre). */
export function memberChip(k: number, n: number): { x: number; width: number } {
  const inner = BR_W - 2 * MEMBER_PAD;
  const width = Math.max(1, Math.min(MEMBER_MAX_W, (inner - (n - 1) * MEMBER_GAP) / Math.max(1, n)));
  return { x: MEMBER_PAD + k * (width + MEMBER_GAP), width };
}
