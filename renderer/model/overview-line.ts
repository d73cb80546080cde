/**
 * The line the overview layer draws for one veth (pure). Along the last
 * auto-layout's orthogonal route while that route still starts and ends at this
 * veth's ports (nothing moved since), so zooming out keeps the picture zoomed in
 * showed; else a straight segment between the drawn ends. The route was made for
 * the full-size boxes: its ends are pulled into the boxes as drawn (compact boxes
 * are shorter), the bend next to each end following so the path stays
 * horizontal/vertical.
 */
import type { Pos } from './edits';

/** A box as drawn, flow coordinates. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One veth end: where it is drawn in the overview, and where its full-size handles are. */
export interface LineEnd {
  at: Pos;
  box: Box;
  /** the points a route may end at: a port row's left and right border */
  handles: Pos[];
}

/** how far (px) a route's end may sit from a handle (ELK rounds, React Flow offsets a few px) */
const TOLERANCE = 8;

const near = (p: Pos, q: Pos) => Math.abs(p.x - q.x) <= TOLERANCE && Math.abs(p.y - q.y) <= TOLERANCE;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** The route as the overview draws it, or undefined when there is none or it is stale (the caller draws a straight segment). */
export function overviewLine(route: readonly Pos[] | undefined, a: LineEnd, b: LineEnd): Pos[] | undefined {
  if (!route || route.length < 2) return undefined;
  const fits = (r: readonly Pos[]) => a.handles.some((h) => near(r[0], h)) && b.handles.some((h) => near(r[r.length - 1], h));
  const r = fits(route) ? route : fits([...route].reverse()) ? [...route].reverse() : undefined;
  if (!r) return undefined;
  const pts = r.map((p) => ({ ...p }));
  const pull = (end: number, next: number, box: Box) => {
    const p = pts[end];
    const q = { x: clamp(p.x, box.x, box.x + box.w), y: clamp(p.y, box.y, box.y + box.h) };
    if (next > 0 && next < pts.length - 1) {
      if (pts[next].y === p.y) pts[next].y = q.y;
      else if (pts[next].x === p.x) pts[next].x = q.x;
    }
    pts[end] = q;
  };
  pull(0, 1, a.box);
  pull(pts.length - 1, pts.length - 2, b.box);
  return orthogonal(pts, r);
}

/** A segment the pulls tilted (a straight route whose ends moved apart) gets a jog in its middle. */
function orthogonal(pts: Pos[], was: readonly Pos[]): Pos[] {
  const out = [pts[0]];
  for (let i = 1; i < pts.length; i++) {
    const p = out[out.length - 1];
    const q = pts[i];
    if (p.x !== q.x && p.y !== q.y) {
      if (was[i - 1].y === was[i].y) {
        const mx = Math.round((p.x + q.x) / 2);
        out.push({ x: mx, y: p.y }, { x: mx, y: q.y });
      } else {
        const my = Math.round((p.y + q.y) / 2);
        out.push({ x: p.x, y: my }, { x: q.x, y: my });
      }
    }
    out.push(q);
  }
  return out;
}
