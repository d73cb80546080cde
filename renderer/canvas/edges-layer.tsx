/**
 * The veths of a big graph zoomed in (thousands of long SVG edges made panning
 * slow): one <canvas> inside React Flow's viewport, under the nodes, that moves
 * with the viewport's transform. It covers the view plus half a screen on every
 * side and is drawn once for that region at the zoom of the moment; a pan
 * redraws nothing until the view leaves the region, so a pan frame changes only
 * the viewport's transform (no canvas to re-raster, nothing to repaint).
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { EdgeLabelRenderer, useStoreApi } from '@xyflow/react';
import type { Flow } from '../model/to-flow';
import { useUi } from '../store/ui-store';
import { useZoomWhenSettled } from './use-settled';
import { covers, regionAround, type Region } from '../model/edge-region';

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

function draw(c: HTMLCanvasElement, lines: Flow['lines'], r: Region, dpr: number): void {
  const k = r.zoom * dpr;
  c.width = Math.ceil(r.w * k);
  c.height = Math.ceil(r.h * k);
  const ctx = c.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(k, 0, 0, k, -r.x * k, -r.y * k);
  const x1 = r.x + r.w;
  const y1 = r.y + r.h;
  ctx.beginPath();
  for (const line of lines)
    for (let i = 1; i < line.length; i++) {
      const a = line[i - 1];
      const b = line[i];
      if ((a.x < r.x && b.x < r.x) || (a.x > x1 && b.x > x1) || (a.y < r.y && b.y < r.y) || (a.y > y1 && b.y > y1)) continue;
      ctx.moveTo(a.x, a.y);
      ctx.lineTo(b.x, b.y);
    }
  ctx.strokeStyle = css('--edge');
  ctx.globalAlpha = 0.6;
  ctx.lineWidth = 2 / r.zoom;
  ctx.stroke();
}

const SETTLE_MS = 150;

export function EdgesLayer({ lines }: { lines: Flow['lines'] }) {
  const store = useStoreApi();
  // redrawn sharp where a zoom gesture settles, and with the theme's colours
  const zoom = useZoomWhenSettled(SETTLE_MS);
  const theme = useUi((s) => s.theme);
  const ref = useRef<HTMLCanvasElement>(null);
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const around = () => {
    const s = store.getState();
    return regionAround(s.transform, s.width, s.height, dpr);
  };
  const [region, setRegion] = useState<Region>(around);
  // a new region when the view leaves this one or the zoom settles elsewhere; nothing on the frames in between
  useEffect(() => {
    const check = () => {
      const { transform, width, height } = store.getState();
      const settled = transform[2] === zoom;
      setRegion((r) => (covers(r, transform, width, height) && !(settled && r.zoom !== zoom) ? r : regionAround(transform, width, height, dpr)));
    };
    check();
    return store.subscribe(check);
  }, [store, zoom, dpr]);
  useLayoutEffect(() => {
    if (ref.current) draw(ref.current, lines, region, dpr);
  }, [lines, region, dpr, theme]);
  return (
    <EdgeLabelRenderer>
      <canvas
        ref={ref}
        className="edges-layer"
        data-testid="edges-layer"
        style={{ position: 'absolute', left: region.x, top: region.y, width: region.w, height: region.h, pointerEvents: 'none', transformOrigin: '0 0' }}
      />
    </EdgeLabelRenderer>
  );
}
