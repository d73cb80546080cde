/**
 * The canvas: React Flow fed from the document (plus the host in live view).
 * Nodes are derived, never stored: selection and drags go back into the stores.
 * Below COMPACT_ZOOM the overview layer draws every box and veth on one canvas
 * (one DOM element instead of thousands), which keeps overviews of thousands of
 * namespaces fluid. Zoomed in, a pan is composited (composited-pan.tsx).
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { DragEvent, MouseEvent as ReactMouseEvent } from 'react';
import { Background, Controls, ReactFlow, useReactFlow } from '@xyflow/react';
import type { Connection, EdgeChange, FinalConnectionState, FitViewOptions, NodeChange } from '@xyflow/react';
import { HOST_NS } from '../../shared/model/schema';
import { COMPACT_ZOOM, NS_W } from '../model/geometry';
import { createFlowDeriver } from '../model/to-flow';
import type { FlowEdge, FlowNode } from '../model/to-flow';
import { problemsById } from '../model/problems';
import { movePositions, addVeth } from '../model/edits';
import { parseId } from '../model/doc-ids';
import { edit, useEditor } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';
import { useLive } from '../store/live-store';
import { edgeTypes, nodeTypes } from './node-types';
import { OverviewLayer } from './overview-layer';
import { EdgesLayer } from './edges-layer';
import { CompositedPan } from './composited-pan';
import { OverviewMinimap } from './overview-minimap';
import { noteBenchGraph } from '../bench-hooks';
import { useZoomBelowWhenSettled } from './use-settled';
import { nodeAtFlowPoint } from '../model/hit-test';
import { clientPoint, endFor, nodeAtPoint } from './connect';
import { PALETTE_MIME, dropPaletteItem } from '../panels/palette-actions';
import type { PaletteKind } from '../panels/palette-actions';

const CULL_ABOVE = 300;
const LOD_SETTLE_MS = 150;
const NO_EDGES: FlowEdge[] = [];
// fitted graphs keep clear of the overlays: the zoom controls (bottom left) and the minimap (bottom right, 200 px + margin)
const FIT: FitViewOptions = { maxZoom: 1.1, padding: { top: '6%', bottom: '6%', left: '56px', right: '232px' }, includeHiddenNodes: true };

/** chrome: the dot grid and the minimap (off only in the canvas bench's bare variant). */
export function Canvas({ bench = false, chrome = !bench }: { bench?: boolean; chrome?: boolean }) {
  const doc = useEditor((s) => s.doc);
  const liveOn = useLive((s) => s.enabled);
  // the document laid over the host, kept by the live controller (replaced only when what is drawn changes shape)
  const merged = useLive((s) => s.merged);
  const selection = useUi((s) => s.selection);
  const theme = useUi((s) => s.theme);
  // the level of detail changes when a zoom gesture ends, not on each of its frames
  // the canvas element carries data-view="moving" while a fit runs or the level of detail is yet to follow the zoom:
  // written to the DOM, not state (no re-render per gesture); a click then may land on a box about to change
  const canvasEl = useRef<HTMLDivElement>(null);
  const moving = useRef({ fit: false, zoom: false });
  const markMoving = useCallback((part: 'fit' | 'zoom', on: boolean) => {
    moving.current[part] = on;
    const el = canvasEl.current;
    if (!el) return;
    if (moving.current.fit || moving.current.zoom) el.dataset.view = 'moving';
    else delete el.dataset.view;
  }, []);
  const compact = useZoomBelowWhenSettled(COMPACT_ZOOM, LOD_SETTLE_MS, (on) => markMoving('zoom', on));
  const rf = useReactFlow();
  const deriver = useRef(createFlowDeriver()).current;

  const shown = liveOn && merged ? merged : doc;
  const selSet = useMemo(() => new Set(selection), [selection]);
  // a big document starts in the overview: the first render never mounts thousands of full nodes
  const initialViewport = useRef({ x: 0, y: 0, zoom: doc.namespaces.length > CULL_ABOVE ? COMPACT_ZOOM / 4 : 1 }).current;
  const problemList = useUi((s) => s.problems);
  const layingOut = useUi((s) => s.layingOut);
  const problems = useMemo(() => problemsById(problemList), [problemList]);
  // the overview layer draws veths along these (React Flow's edges read them in canvas/edges.tsx)
  const routes = useUi((s) => s.routes);
  const flow = useMemo(
    () => deriver(shown, { selection: selSet, compact, problems, duplicates: shown === doc, routes }),
    [deriver, shown, doc, selSet, compact, problems, routes],
  );
  useEffect(() => noteBenchGraph(flow.nodes, flow.edges), [flow]);
  // React Flow fits the view on its next node update: hand it a fresh array after asking
  const fit = useUi((s) => s.fit);
  const [bump, setBump] = useState(0);
  useEffect(() => {
    if (!fit.n) return;
    markMoving('fit', true);
    // after moved nodes are re-measured (React Flow fits only "initialized" nodes)
    const t = setTimeout(() => {
      void rf
        .fitView({ ...FIT, duration: 150, ...(fit.nodes ? { nodes: fit.nodes.map((id) => ({ id })), maxZoom: 1.2 } : {}) })
        .finally(() => markMoving('fit', false));
      setBump((b) => b + 1);
    }, 50);
    return () => {
      clearTimeout(t);
      markMoving('fit', false);
    };
  }, [fit, rf, markMoving]);
  // overview: React Flow keeps the nodes (fit, selection) but the canvas layer draws them
  // big graphs: veths are canvas drawings at every zoom, zoomed in one that pans with the viewport (edges-layer.tsx);
  // not selectable on the canvas (use the inspector)
  const bigGraph = flow.nodes.length > CULL_ABOVE;
  // what the composited pan's backdrop covers: the top-level boxes (children sit inside their parents)
  const bounds = useMemo(() => {
    const b = { minX: 0, minY: 0, maxX: 0, maxY: 0 };
    for (const n of flow.nodes) {
      if (n.parentId) continue;
      b.minX = Math.min(b.minX, n.position.x);
      b.minY = Math.min(b.minY, n.position.y);
      b.maxX = Math.max(b.maxX, n.position.x + (n.width ?? 0));
      b.maxY = Math.max(b.maxY, n.position.y + (n.height ?? 0));
    }
    return b;
  }, [flow.nodes]);
  const nodes = useMemo(() => (compact ? flow.nodes.map((n) => ({ ...n, hidden: true })) : bump ? [...flow.nodes] : flow.nodes), [flow.nodes, bump, compact]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNode>[]) => {
    const moves: Record<string, { x: number; y: number }> = {};
    let sel: Set<string> | undefined;
    for (const c of changes) {
      if (c.type === 'position' && c.position) moves[c.id] = c.position;
      else if (c.type === 'select') {
        sel ??= new Set(uiStore.getState().selection);
        if (c.selected) sel.add(c.id);
        else sel.delete(c.id);
      }
    }
    if (Object.keys(moves).length) edit((d) => movePositions(d, moves), { coalesce: `drag:${Object.keys(moves).sort().join(',')}` });
    if (sel) uiStore.getState().setSelection([...sel]);
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdge>[]) => {
    let sel: Set<string> | undefined;
    for (const c of changes) {
      if (c.type !== 'select') continue;
      sel ??= new Set(uiStore.getState().selection);
      if (c.selected) sel.add(c.id);
      else sel.delete(c.id);
    }
    if (sel) uiStore.getState().setSelection([...sel]);
  }, []);

  const connectNodes = useCallback((source: string, target: string) => {
    const a = endFor(source);
    const b = endFor(target);
    if (!a || !b || source === target) return;
    edit((d) => addVeth(d, a, b));
  }, []);
  const onConnect = useCallback((c: Connection) => connectNodes(c.source, c.target), [connectNodes]);
  // dropped on a node but not on one of its handles: the node itself is the target
  const onConnectEnd = useCallback(
    (e: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (state.isValid || !state.fromNode) return;
      const at = clientPoint(e);
      const target = at && nodeAtPoint(at.x, at.y);
      if (target) connectNodes(state.fromNode.id, target);
    },
    [connectNodes],
  );

  // the overview draws boxes on a canvas, so a click lands on the pane: select the box under it, as a click on a node would
  // (React Flow has already cleared the selection for a plain click on the pane)
  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      if (!compact) return;
      const id = nodeAtFlowPoint(flow.nodes, rf.screenToFlowPosition({ x: e.clientX, y: e.clientY }));
      if (!id) return;
      const add = e.ctrlKey || e.metaKey || e.shiftKey;
      uiStore.getState().setSelection(add ? [...new Set([...uiStore.getState().selection, id])] : [id]);
    },
    [compact, flow.nodes, rf],
  );

  const onDragOver = useCallback((e: DragEvent) => {
    if (e.dataTransfer.types.includes(PALETTE_MIME)) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
    }
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const kind = e.dataTransfer.getData(PALETTE_MIME) as PaletteKind;
      if (!kind) return;
      e.preventDefault();
      const pos = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      // dropped onto a namespace box: bridges and veths belong to it
      const under = rf.getIntersectingNodes({ x: pos.x, y: pos.y, width: 1, height: 1 }).find((n) => n.type === 'namespace');
      const ns = under ? (parseId(under.id) as { ns: string }).ns : undefined;
      dropPaletteItem(kind, { x: pos.x - NS_W / 2, y: pos.y - 20 }, ns ?? HOST_NS);
    },
    [rf],
  );

  return (
    <div
      ref={canvasEl}
      className="canvas"
      data-testid="canvas"
      data-layout={layingOut ? 'pending' : undefined}
      onDragOver={onDragOver}
      onDrop={onDrop}
      aria-label="topology canvas"
    >
      <ReactFlow
        nodes={nodes}
        edges={bigGraph ? NO_EDGES : flow.edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        onPaneClick={onPaneClick}
        connectionMode={'loose' as never}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        // culling pays off only at scale; small graphs keep every node in the DOM (tests, search)
        onlyRenderVisibleElements={!compact && flow.nodes.length > CULL_ABOVE}
        minZoom={0.02}
        maxZoom={2.5}
        colorMode={theme}
        fitView
        fitViewOptions={FIT}
        defaultViewport={initialViewport}
        proOptions={{ hideAttribution: true }}
        elevateNodesOnSelect={false}
      >
        {compact && <OverviewLayer flow={flow} />}
        {!compact && <CompositedPan bounds={bounds} />}
        {!compact && bigGraph && <EdgesLayer lines={flow.lines} />}
        {/* zoomed in, the dot grid is drawn on the composited backdrop (composited-pan.tsx) */}
        {chrome && compact && <Background gap={24} />}
        {/* one canvas minimap at every zoom: React Flow's SVG one re-rendered and repainted all its boxes on each pan frame */}
        {chrome && <OverviewMinimap flow={flow} />}
        <Controls />
      </ReactFlow>
    </div>
  );
}
