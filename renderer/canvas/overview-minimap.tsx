/**
 * The minimap while the canvas is in its overview (compact) level of detail: React
 * Flow's MiniMap draws only nodes in the DOM, and the overview hides them, so it
 * went blank exactly when a map is most needed. This one draws every box from the
 * derived flow onto a small canvas, with the visible part framed; a click pans there.
 */
import { useLayoutEffect, useMemo, useRef } from 'react';
import type { MouseEvent } from 'react';
import { useReactFlow, useStore as useFlowStore } from '@xyflow/react';
import type { Flow } from '../model/to-flow';
import { useUi } from '../store/ui-store';

const W = 200;
const H = 150;

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

export function OverviewMinimap({ flow }: { flow: Flow }) {
  const ref = useRef<HTMLCanvasElement>(null);
  const rf = useReactFlow();
  const [tx, ty, zoom] = useFlowStore((s) => s.transform);
  const vw = useFlowStore((s) => s.width);
  const vh = useFlowStore((s) => s.height);
  const theme = useUi((s) => s.theme);
  const top = useMemo(() => flow.nodes.filter((n) => !n.parentId), [flow]);
  const frame = useMemo(() => {
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const n of top) {
      x0 = Math.min(x0, n.position.x);
      y0 = Math.min(y0, n.position.y);
      x1 = Math.max(x1, n.position.x + (n.width ?? 0));
      y1 = Math.max(y1, n.position.y + (n.height ?? 0));
    }
    if (!top.length) [x0, y0, x1, y1] = [0, 0, 1, 1];
    const scale = Math.min((W - 8) / (x1 - x0 || 1), (H - 8) / (y1 - y0 || 1));
    return { x0, y0, scale, ox: (W - (x1 - x0) * scale) / 2, oy: (H - (y1 - y0) * scale) / 2 };
  }, [top]);

  useLayoutEffect(() => {
    const c = ref.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = W * dpr;
    c.height = H * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = css('--panel');
    ctx.fillRect(0, 0, W, H);
    const { x0, y0, scale, ox, oy } = frame;
    const px = (x: number) => ox + (x - x0) * scale;
    const py = (y: number) => oy + (y - y0) * scale;
    ctx.fillStyle = css('--edge');
    for (const n of top) ctx.fillRect(px(n.position.x), py(n.position.y), Math.max(1.5, (n.width ?? 0) * scale), Math.max(1.5, (n.height ?? 0) * scale));
    // the part of the graph on screen
    ctx.strokeStyle = css('--accent');
    ctx.lineWidth = 1.5;
    ctx.strokeRect(px(-tx / zoom), py(-ty / zoom), (vw / zoom) * scale, (vh / zoom) * scale);
    c.dataset.nodes = String(top.length);
  }, [top, frame, tx, ty, zoom, vw, vh, theme]);

  const onClick = (e: MouseEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    const { x0, y0, scale, ox, oy } = frame;
    void rf.setCenter(x0 + (e.clientX - r.left - ox) / scale, y0 + (e.clientY - r.top - oy) / scale, { zoom });
  };

  return <canvas ref={ref} className="overview-minimap" data-testid="minimap" aria-label="minimap" style={{ width: W, height: H }} onClick={onClick} />;
}
