/**
 * An edge drawn along the last auto-layout's orthogonal route while its ends are
 * still where the route starts and ends (nothing moved since): the route's ends are
 * swapped for the handles' exact points, and the first and last bends follow them,
 * so the path stays horizontal/vertical. A route whose ends moved is stale: the
 * caller falls back to React Flow's own step path.
 */
import type { Pos } from '../model/edits';

/** how far (px) a handle may sit from the route's end: ELK puts ports on the box border, React Flow a few px outside */
const TOLERANCE = 8;
/** corner radius of the drawn bends */
const RADIUS = 6;

export function routedPath(route: readonly Pos[] | undefined, s: Pos, t: Pos): string | undefined {
  if (!route || route.length < 2) return undefined;
  const near = (p: Pos, q: Pos) => Math.abs(p.x - q.x) <= TOLERANCE && Math.abs(p.y - q.y) <= TOLERANCE;
  if (!near(route[0], s) || !near(route[route.length - 1], t)) return undefined;
  const pts = route.map((p) => ({ ...p }));
  const follow = (end: number, next: number, to: Pos) => {
    // the bend next to an end keeps the segment between them straight
    if (next !== end && next > 0 && next < pts.length - 1) {
      if (pts[end].y === pts[next].y) pts[next].y = to.y;
      else if (pts[end].x === pts[next].x) pts[next].x = to.x;
    }
    pts[end] = { ...to };
  };
  follow(0, 1, s);
  follow(pts.length - 1, pts.length - 2, t);
  return roundedPolyline(pts);
}

function roundedPolyline(pts: Pos[]): string {
  let d = `M ${pts[0].x} ${pts[0].y}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const [p, c, n] = [pts[i - 1], pts[i], pts[i + 1]];
    const r = Math.min(RADIUS, dist(p, c) / 2, dist(c, n) / 2);
    const a = towards(c, p, r);
    const b = towards(c, n, r);
    d += ` L ${a.x} ${a.y} Q ${c.x} ${c.y} ${b.x} ${b.y}`;
  }
  const last = pts[pts.length - 1];
  return `${d} L ${last.x} ${last.y}`;
}

const dist = (a: Pos, b: Pos) => Math.hypot(a.x - b.x, a.y - b.y);
function towards(from: Pos, to: Pos, r: number): Pos {
  const l = dist(from, to) || 1;
  return { x: from.x + ((to.x - from.x) * r) / l, y: from.y + ((to.y - from.y) * r) / l };
}
