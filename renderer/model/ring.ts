/**
 * A hub and its leaves (a bridge's namespace and the namespaces that hang only off
 * that bridge): the hub in the middle, the leaves in rings of grid cells around it,
 * the inner ring first, each ring filled clockwise from the top. The whole is about
 * as wide as a screen (4:3, counting the boxes' real, wide and low, size), so a
 * 200-member bridge is a compact star rather than a column, and every spoke is short.
 */
import type { Pos } from './edits';

export interface Sized {
  id: string;
  width?: number;
  height?: number;
}

export interface RingLayout {
  /** offsets from the ring's top-left corner, for the hub and every leaf */
  at: Map<string, Pos>;
  width: number;
  height: number;
}

const GAP_X = 60;
const GAP_Y = 40;
const ASPECT = 4 / 3;
const W = (n: Sized) => n.width ?? 250;
const H = (n: Sized) => n.height ?? 60;

export function ringAround(hub: Sized, leaves: Sized[]): RingLayout {
  const cellW = Math.max(...leaves.map(W)) + GAP_X;
  const cellH = Math.max(...leaves.map(H)) + GAP_Y;
  // the cells the hub covers, with at least one ring all round it
  const hc = Math.ceil((W(hub) + GAP_X) / cellW);
  const hr = Math.ceil((H(hub) + GAP_Y) / cellH);
  const total = leaves.length + hc * hr;
  let cols = Math.max(hc + 2, Math.round(Math.sqrt((total * cellH * ASPECT) / cellW)));
  if ((cols - hc) % 2) cols++;
  let rows = Math.max(hr + 2, Math.ceil(total / cols));
  if ((rows - hr) % 2) rows++;
  const c0 = (cols - hc) / 2;
  const r0 = (rows - hr) / 2;
  const cx = c0 + hc / 2;
  const cy = r0 + hr / 2;
  const cells: { c: number; r: number; ring: number; angle: number }[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const ring = Math.max(c < c0 ? c0 - c : c >= c0 + hc ? c - (c0 + hc) + 1 : 0, r < r0 ? r0 - r : r >= r0 + hr ? r - (r0 + hr) + 1 : 0);
      if (ring === 0) continue; // the hub's own cells
      // clockwise from straight up; cells are wide, so compare in pixels
      const angle = (Math.atan2((r + 0.5 - cy) * cellH, (c + 0.5 - cx) * cellW) + (5 * Math.PI) / 2) % (2 * Math.PI);
      cells.push({ c, r, ring, angle });
    }
  cells.sort((a, b) => a.ring - b.ring || a.angle - b.angle);
  const at = new Map<string, Pos>();
  at.set(hub.id, { x: c0 * cellW + (hc * cellW - GAP_X - W(hub)) / 2, y: r0 * cellH + (hr * cellH - GAP_Y - H(hub)) / 2 });
  leaves.forEach((n, i) => at.set(n.id, { x: cells[i].c * cellW, y: cells[i].r * cellH }));
  // the outer ring may be partly empty: the block is what is drawn
  const size = new Map([hub, ...leaves].map((n) => [n.id, n]));
  const all = [...at.entries()].map(([id, p]) => ({ p, n: size.get(id)! }));
  const minX = Math.min(...all.map((a) => a.p.x));
  const minY = Math.min(...all.map((a) => a.p.y));
  for (const p of at.values()) ((p.x = Math.round(p.x - minX)), (p.y = Math.round(p.y - minY)));
  const width = Math.max(...all.map((a) => a.p.x + W(a.n)));
  const height = Math.max(...all.map((a) => a.p.y + H(a.n)));
  return { at, width, height };
}
