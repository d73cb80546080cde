/**
 * The benchmark's baseline (`?bench=N&baseline=1`): plain React Flow as the
 * xyflow performance guide has it — memoized custom nodes, `nodeTypes` constant,
 * nodes in React state updated with a new array per change — but none of this
 * app's measures (no pre-measured nodes, no compact level of detail, no edge
 * overlay, no per-node live subscriptions). Same document, same run.
 */
import { memo, useEffect, useState } from 'react';
import { applyNodeChanges, ConnectionMode, Handle, Position, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { Edge, Node, NodeChange, NodeProps, NodeTypes } from '@xyflow/react';
import { createRoot } from 'react-dom/client';
import { toFlow } from './model/to-flow';
import type { NamespaceData, BridgeData } from './model/to-flow';
import { syntheticTopology } from './model/synthetic';
import { setBenchFlow } from './bench-hooks';

const PlainNs = memo(function PlainNs({ data }: NodeProps & { data: NamespaceData }) {
  return (
    <div className="ns-box">
      <div className="ns-header">
        <span className="ns-name">{data.name}</span>
      </div>
      {data.ports.map((p, i) => (
        <div key={p.ifname} className="port" style={{ top: 34 + i * 34 }}>
          <Handle id={`l:${p.ifname}`} type="source" position={Position.Left} />
          <span className={`dot ${p.up ? 'up' : 'down'}`} />
          <span className="port-name">{p.ifname}</span>
          <span className="port-addr">{p.addresses.join(' ')}</span>
          <Handle id={`r:${p.ifname}`} type="source" position={Position.Right} />
        </div>
      ))}
      <Handle id="nl" type="source" position={Position.Left} />
      <Handle id="nr" type="source" position={Position.Right} />
    </div>
  );
});

const PlainBr = memo(function PlainBr({ data }: NodeProps & { data: BridgeData }) {
  return (
    <div className="br-box">
      <Handle id="bl" type="source" position={Position.Left} />
      <div className="br-line">
        <span className="br-name">{data.name}</span>
      </div>
      <Handle id="br" type="source" position={Position.Right} />
      {/* one handle per member, as the app has: without them React Flow drops the members' edges and the baseline draws none */}
      {data.members.map((m, k) => (
        <Handle key={m.ifname} id={`m:${m.ifname}`} type="source" position={Position.Bottom} style={{ left: 10 + k * 14 }} />
      ))}
    </div>
  );
});

const baselineTypes: NodeTypes = { namespace: PlainNs, bridge: PlainBr } as NodeTypes;

function strip(nodes: Node[]): Node[] {
  // the baseline lets React Flow measure, like an app that does not pre-size its nodes
  return nodes.map(({ measured: _m, handles: _h, width: _w, height: _hh, ...n }) => ({ ...n, style: { width: _w, height: _hh } }));
}

/** types the baseline has no component for (a VRF, a forwarder) become React Flow's default node */
const plainType = (n: Node): Node => (n.type === 'namespace' || n.type === 'bridge' ? n : { ...n, type: 'default', data: { label: n.id } });

function Baseline({ n }: { n: number | 'graph' }) {
  const [{ nodes, edges }] = useState(() => {
    // 'graph': the nodes and edges the app derived from a live host, handed in by bench/canvas-live.ts
    const f = n === 'graph' ? (window.__benchGraph as { nodes: Node[]; edges: Edge[] }) : (toFlow(syntheticTopology(n)) as { nodes: Node[]; edges: Edge[] });
    return {
      nodes: strip(f.nodes.map(({ hidden: _hidden, selected: _s, ...x }) => plainType(x))),
      edges: f.edges.map(({ selected: _s, ...e }) => ({ ...e, type: 'default' })),
    };
  });
  const [ns, setNs] = useState(nodes);
  const rf = useReactFlow();
  useEffect(() => {
    setBenchFlow(rf, (i, up) =>
      // the usual way: a new nodes array with the one node replaced
      setNs((cur) =>
        cur.map((node) =>
          node.id === `ns:n${i}`
            ? { ...node, data: { ...node.data, ports: (node.data as NamespaceData).ports.map((p) => (p.ifname === 'eth0' ? { ...p, up } : p)) } }
            : node,
        ),
      ),
    );
  }, [rf]);
  return (
    <div style={{ position: 'absolute', inset: 0 }} data-testid="app-ready">
      <ReactFlow
        nodes={ns}
        edges={edges}
        nodeTypes={baselineTypes}
        minZoom={0.02}
        fitView
        proOptions={{ hideAttribution: true }}
        onNodesChange={(changes: NodeChange[]) => setNs((cur) => applyNodeChanges(changes, cur))}
        // every handle is a source (as in the app): without loose mode React Flow finds no target handle and draws no edge (error008)
        connectionMode={ConnectionMode.Loose}
      />
    </div>
  );
}

export function mountBaseline(n: number | 'graph'): void {
  createRoot(document.getElementById('root')!).render(
    <ReactFlowProvider>
      <Baseline n={n} />
    </ReactFlowProvider>,
  );
}
