/**
 * A value that follows `value` only once it has stopped changing for `ms`: the
 * canvas switches its level of detail and re-rasterizes its overview bitmap after
 * a zoom gesture, not on every frame of it (each switch re-renders every node; each
 * bitmap is up to 4096² px), which kept zooming at 11-20 fps.
 */
import { useEffect, useRef, useState } from 'react';
import { useStoreApi } from '@xyflow/react';

export function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(value, settled)) return;
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, settled, ms]);
  return settled;
}

/**
 * Whether the zoom is below `threshold`, re-evaluated only once the zoom has not
 * changed for `ms`: a zoom gesture keeps the level of detail it started with and
 * the switch (a re-render of every node) happens when the gesture ends. Reads the
 * React Flow store without re-rendering the caller on every frame.
 */
export function useZoomBelowWhenSettled(threshold: number, ms: number, onPending?: (pending: boolean) => void): boolean {
  const store = useStoreApi();
  // a fresh object per settle: the effect below runs once that render is committed, even when `below` did not change
  const [state, setState] = useState(() => ({ below: store.getState().transform[2] < threshold }));
  // told when a zoom change waits to be settled and when the settled level of detail is on screen
  const pending = useRef(onPending);
  pending.current = onPending;
  const waiting = useRef(false);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = store.getState().transform[2];
    const settle = () => {
      timer = undefined;
      setState({ below: store.getState().transform[2] < threshold });
    };
    const off = store.subscribe((s) => {
      const z = s.transform[2];
      if (z === last) return;
      last = z;
      if (timer) clearTimeout(timer);
      else if (!waiting.current) {
        waiting.current = true;
        pending.current?.(true);
      }
      timer = setTimeout(settle, ms);
    });
    settle();
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, threshold, ms]);
  useEffect(() => {
    if (!waiting.current) return;
    waiting.current = false;
    pending.current?.(false);
  }, [state]);
  return state.below;
}

/** The zoom once it has not changed for `ms` (the caller re-renders when a gesture ends, not on its frames). */
export function useZoomWhenSettled(ms: number): number {
  const store = useStoreApi();
  const [zoom, setZoom] = useState(() => store.getState().transform[2]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = store.getState().transform[2];
    const off = store.subscribe((s) => {
      const z = s.transform[2];
      if (z === last) return;
      last = z;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => setZoom(store.getState().transform[2]), ms);
    });
    setZoom(last);
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [store, ms]);
  return zoom;
}
