/**
 * Which part of the graph the zoomed-in edges layer (canvas/edges-layer.tsx)
 * draws: the view plus half a screen on every side, so a pan redraws nothing
 * until the view leaves it.
 */
/** the region reaches this far past the view, in screens */
const MARGIN = 0.5;
/** a canvas side never exceeds this many pixels (memory; software raster) */
const MAX_PX = 4096;

/** A rectangle in flow coordinates and the zoom it is drawn at. */
export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
  zoom: number;
}

/** The region around a view (React Flow's transform and the pane's size), its canvas kept under MAX_PX a side. */
export function regionAround([tx, ty, zoom]: [number, number, number], width: number, height: number, dpr: number): Region {
  const mw = Math.min(width * (1 + 2 * MARGIN), MAX_PX / dpr);
  const mh = Math.min(height * (1 + 2 * MARGIN), MAX_PX / dpr);
  return { x: (-tx - (mw - width) / 2) / zoom, y: (-ty - (mh - height) / 2) / zoom, w: mw / zoom, h: mh / zoom, zoom };
}

/** The view (transform, pane size) lies inside the region (mid-zoom the region is scaled with the viewport). */
export function covers(r: Region, [tx, ty, zoom]: [number, number, number], width: number, height: number): boolean {
  const x0 = -tx / zoom;
  const y0 = -ty / zoom;
  return x0 >= r.x && y0 >= r.y && x0 + width / zoom <= r.x + r.w && y0 + height / zoom <= r.y + r.h;
}
