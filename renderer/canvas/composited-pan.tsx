/**
 * Panning zoomed in (full nodes in the DOM): while the view moves, React Flow's
 * viewport gets `will-change: transform`, so the compositor shifts what was
 * painted instead of the renderer repainting and re-rasterizing every visible
 * node on each frame (software raster: that was half of a pan frame's cost).
 *
 * Chrome still re-layerizes the viewport's paint chunks on every transform
 * change, and chunks far apart that do not overlap go to separate layers, each
 * later chunk tested for overlap against all of them (60 ms a frame at 200
 * namespaces). The backdrop, one faint rectangle under the whole graph painted
 * first, makes every chunk overlap one layer that they all merge into (9 ms).
 *
 * Only while moving: a composited viewport holds its tiles in memory and draws
 * text without subpixel positioning; promoting it costs one repaint a gesture.
 */
import { useEffect, useRef } from 'react';
import { EdgeLabelRenderer, useStoreApi } from '@xyflow/react';

/** the viewport goes back to normal this long after its last move */
const IDLE_MS = 250;
/** the backdrop reaches this far past the graph (flow px): a pan past its edge still merges */
const MARGIN = 4000;

export interface Bounds {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export function CompositedPan({ bounds }: { bounds: Bounds }) {
  const store = useStoreApi();
  const backdrop = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = store.getState().transform;
    let viewport: HTMLElement | null = null;
    const rest = () => {
      timer = undefined;
      if (viewport) viewport.style.willChange = '';
    };
    const off = store.subscribe((s) => {
      const t = s.transform;
      if (t[0] === last[0] && t[1] === last[1] && t[2] === last[2]) return;
      last = t;
      viewport ??= backdrop.current?.closest<HTMLElement>('.react-flow__viewport') ?? null;
      if (!viewport) return;
      if (timer) clearTimeout(timer);
      else viewport.style.willChange = 'transform';
      timer = setTimeout(rest, IDLE_MS);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
      rest();
    };
  }, [store]);
  const { minX, minY, maxX, maxY } = bounds;
  return (
    <EdgeLabelRenderer>
      <div
        ref={backdrop}
        className="pan-backdrop"
        aria-hidden
        style={{
          position: 'absolute',
          zIndex: -1,
          left: minX - MARGIN,
          top: minY - MARGIN,
          width: maxX - minX + 2 * MARGIN,
          height: maxY - minY + 2 * MARGIN,
          pointerEvents: 'none',
        }}
      />
    </EdgeLabelRenderer>
  );
}
