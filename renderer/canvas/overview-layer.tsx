/**
 * The zoomed-out view of big graphs: every namespace box and veth drawn on one
 * <canvas> instead of thousands of DOM elements (the notes measured DOM size as
 * the limit). React Flow keeps the nodes (hidden) for fit and selection.
 *
 * Panning must not re-rasterize thousands of shapes per frame (software
 * rendering): the scene is drawn once per zoom level / document / live change
 * into an offscreen bitmap, and a pan only blits that bitmap at a new offset.
 * When the bitmap would be too large (zoomed in further), the visible part is
 * drawn directly. Veths follow the last auto-layout's orthogonal routes while
 * their ends have not moved (model/overview-line.ts), else straight lines. Zoomed
 * in on a big graph, ./edges-layer.tsx draws the veths instead.
 */
import { useLayoutEffect, useMemo, useRef } from 'react';
import { useStore as useFlowStore } from '@xyflow/react';
import type { Flow, NamespaceData } from '../model/to-flow';
import type { LiveStatus } from '../model/live-merge';
import { useLive } from '../store/live-store';
import { useUi } from '../store/ui-store';
import { useSettled } from './use-settled';

const MAX_CACHE_PX = 4096;
/** screen size of overview labels (px) and their inset in the box */
export const LABEL_PX = 12;
export const LABEL_MIN_PX = 9;
const LABEL_PAD = 3;
/** the layer keeps a record of the labels it drew (for tests and a11y) up to this many nodes */
const RECORD_LIMIT = 1000;

/** One drawn label: the full name, what was drawn, and the room it had on screen. */
export interface DrawnLabel {
  id: string;
  name: string;
  text: string;
  px: number;
  screenWidth: number;
  textWidth: number;
  /** the box, in flow coordinates: x, y, width, height */
  box: [number, number, number, number];
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

interface SceneOpts {
  zoom: number;
  linkUp?: Record<string, boolean>;
  status?: Record<string, LiveStatus>;
  /** visible rectangle in flow coordinates; undefined = draw everything */
  view?: { x0: number; y0: number; x1: number; y1: number };
  /** filled with every label drawn */
  labels?: DrawnLabel[];
}

function drawScene(ctx: CanvasRenderingContext2D, flow: Flow, o: SceneOpts): void {
  const v = o.view;
  ctx.beginPath();
  for (const line of flow.lines) {
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1];
      const b = line[i];
      if (v && ((a.x < v.x0 && b.x < v.x0) || (a.x > v.x1 && b.x > v.x1) || (a.y < v.y0 && b.y < v.y0) || (a.y > v.y1 && b.y > v.y1))) continue;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
  }
  ctx.strokeStyle = css('--edge');
  ctx.globalAlpha = 0.6;
  ctx.lineWidth = 2 / o.zoom;
  ctx.stroke();
  ctx.globalAlpha = 1;
  const fill = css('--ns-bg');
  const border = css('--border');
  const accent = css('--accent');
  const down = css('--down');
  const colours: Record<string, string> = { 'in-sync': css('--sync'), pending: css('--pending'), drifted: css('--drift'), unmanaged: css('--unmanaged') };
  const text = css('--text');
  ctx.lineWidth = 1.5 / o.zoom;
  // labels sized on screen, not in the graph: 12 px, down to 9 px where a name needs it, never smaller.
  // Widths come from one measurement per name (font parsing per node per frame was the cost of zooming).
  const fontAt = (px: number) => `600 ${px / o.zoom}px system-ui, sans-serif`;
  let font = '';
  const setFont = (px: number) => {
    const f = fontAt(px);
    if (f !== font) ctx.font = font = f;
  };
  ctx.textBaseline = 'middle';
  const labels = o.labels;
  for (const n of flow.nodes) {
    const w = n.width ?? 0;
    const h = n.height ?? 0;
    const { x: nx, y: ny } = n.position;
    if (v && (nx > v.x1 || ny > v.y1 || nx + w < v.x0 || ny + h < v.y0)) continue;
    ctx.fillStyle = fill;
    ctx.fillRect(nx, ny, w, h);
    const st = o.status?.[n.id];
    ctx.strokeStyle = n.selected ? accent : st ? colours[st] : border;
    ctx.strokeRect(nx, ny, w, h);
    const d = n.data as NamespaceData;
    if (o.linkUp && d.portKeys?.some((k) => o.linkUp![k] === false)) {
      ctx.fillStyle = down;
      ctx.fillRect(nx, ny, 10, h);
    }
    const name = String(d.name ?? n.id);
    const roomPx = w * o.zoom - 2 * LABEL_PAD; // on screen
    const unit = unitWidth(ctx, name);
    let px = LABEL_PX;
    while (px > LABEL_MIN_PX && unit * px > roomPx) px--;
    setFont(px);
    const shown = unit * px <= roomPx ? name : fitLabel(ctx, name, roomPx / o.zoom);
    if (shown) {
      ctx.fillStyle = text;
      ctx.fillText(shown, nx + LABEL_PAD / o.zoom, ny + Math.min(h / 2, 18 / o.zoom));
    }
    labels?.push({
      id: n.id,
      name,
      text: shown,
      px,
      screenWidth: Math.round(w * o.zoom),
      textWidth: Math.round(shown === name ? unit * px : ctx.measureText(shown).width * o.zoom),
      box: [nx, ny, w, h],
    });
  }
}

const UNIT_PX = 100;
const unitWidths = new Map<string, number>();

/** A name's width per px of font size (measured once at 100 px and remembered). */
function unitWidth(ctx: CanvasRenderingContext2D, name: string): number {
  let u = unitWidths.get(name);
  if (u === undefined) {
    const saved = ctx.font;
    ctx.font = `600 ${UNIT_PX}px system-ui, sans-serif`;
    u = ctx.measureText(name).width / UNIT_PX;
    ctx.font = saved;
    if (unitWidths.size > 20_000) unitWidths.clear();
    unitWidths.set(name, u);
  }
  return u;
}

/** The name as it fits in `room` (flow units, current font): whole, else cut with an ellipsis; '' when not even that fits. */
function fitLabel(ctx: CanvasRenderingContext2D, name: string, room: number): string {
  if (ctx.measureText(name).width <= room) return name;
  for (let k = name.length - 1; k > 0; k--) {
    const t = `${name.slice(0, k)}…`;
    if (ctx.measureText(t).width <= room) return t;
  }
  return '';
}

function boundsOf(flow: Flow) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const n of flow.nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + (n.width ?? 0));
    maxY = Math.max(maxY, n.position.y + (n.height ?? 0));
  }
  for (const line of flow.lines)
    for (const p of line) {
      minX = Math.min(minX, p.x);
      minY = Math.min(minY, p.y);
      maxX = Math.max(maxX, p.x);
      maxY = Math.max(maxY, p.y);
    }
  return { minX: minX - 10, minY: minY - 10, maxX: maxX + 10, maxY: maxY + 10 };
}

export function OverviewLayer({ flow }: { flow: Flow }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<DrawnLabel[] | undefined>(undefined);
  const written = useRef<DrawnLabel[] | undefined>(undefined);
  const [x, y, zoom] = useFlowStore((s) => s.transform);
  const width = useFlowStore((s) => s.width);
  const height = useFlowStore((s) => s.height);
  const linkUp = useLive((s) => (s.enabled ? s.linkUp : undefined));
  const status = useLive((s) => (s.enabled ? s.status : undefined));
  const theme = useUi((s) => s.theme);
  const bounds = useMemo(() => boundsOf(flow), [flow]);
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;

  // the scene at the zoom a gesture settled on, drawn once (mid-gesture frames draw the visible part directly)
  const settledZoom = useSettled(zoom, 150);
  const cache = useMemo(() => {
    const zoom = settledZoom;
    const w = Math.ceil((bounds.maxX - bounds.minX) * zoom * dpr);
    const h = Math.ceil((bounds.maxY - bounds.minY) * zoom * dpr);
    if (!(w > 0 && h > 0) || w > MAX_CACHE_PX || h > MAX_CACHE_PX) return undefined;
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const ctx = c.getContext('2d');
    if (!ctx) return undefined;
    ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, -bounds.minX * zoom * dpr, -bounds.minY * zoom * dpr);
    const labels: DrawnLabel[] | undefined = flow.nodes.length <= RECORD_LIMIT ? [] : undefined;
    drawScene(ctx, flow, { zoom, linkUp, status, labels });
    drawn.current = labels;
    return c;
    // theme is a real input the rule cannot see: drawScene reads its colours from the CSS variables the theme sets
    // eslint-disable-next-line react-hooks/exhaustive-deps -- theme re-reads the CSS colours
  }, [flow, bounds, settledZoom, dpr, linkUp, status, theme]);

  useLayoutEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    if (cache) {
      // mid-gesture the settled bitmap is scaled (one blit, a little soft); it is redrawn sharp when the zoom settles
      const k = zoom / settledZoom;
      ctx.drawImage(cache, Math.round(dpr * (x + bounds.minX * zoom)), Math.round(dpr * (y + bounds.minY * zoom)), cache.width * k, cache.height * k);
    } else {
      ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * x, dpr * y);
      const x0 = -x / zoom;
      const y0 = -y / zoom;
      const labels: DrawnLabel[] | undefined = flow.nodes.length <= RECORD_LIMIT ? [] : undefined;
      drawScene(ctx, flow, { zoom, linkUp, status, labels, view: { x0, y0, x1: x0 + width / zoom, y1: y0 + height / zoom } });
      drawn.current = labels;
    }
    // the record of drawn labels, readable from the DOM
    if (written.current !== drawn.current) {
      written.current = drawn.current;
      if (drawn.current) c.dataset.labels = JSON.stringify(drawn.current);
      else delete c.dataset.labels;
    }
  }, [cache, settledZoom, flow, bounds, x, y, zoom, width, height, dpr, linkUp, status]);

  return (
    <canvas
      ref={ref}
      className="overview-layer"
      data-testid="overview-layer"
      data-routed={flow.routedLines}
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none', zIndex: 1 }}
    />
  );
}
