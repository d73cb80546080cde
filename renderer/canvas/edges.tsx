/**
 * Edges: a veth (solid, coloured by live status) and a forwarder leg (dashed).
 * A veth follows the last auto-layout's orthogonal route (round boxes) while its
 * ends have not moved, else React Flow's step path (orthogonal, not routed).
 */
import { memo } from 'react';
import { BaseEdge, getBezierPath, getSmoothStepPath } from '@xyflow/react';
import type { EdgeProps } from '@xyflow/react';
import { useLive } from '../store/live-store';
import { useUi } from '../store/ui-store';
import { routedPath } from './edge-path';
import { EdgeRate } from './edge-rate';

export const VethEdge = memo(function VethEdge(props: EdgeProps) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, data } = props;
  const problem = (data as { problem?: string } | undefined)?.problem;
  const status = useLive((s) => (s.enabled ? s.status[id.replace(/~\d+$/, '')] : undefined));
  const route = useUi((s) => s.routes[id]);
  const routed = routedPath(route, { x: sourceX, y: sourceY }, { x: targetX, y: targetY });
  const path = routed ?? getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, borderRadius: 6 })[0];
  return (
    <g
      data-testid={`edge-${id}`}
      data-problem={problem}
      data-routed={routed ? 'elk' : undefined}
      data-source={source}
      data-target={target}
      className={`veth-edge${selected ? ' selected' : ''}${status ? ` live-${status}` : ''}${problem ? ' has-problem' : ''}`}
    >
      {problem && <title>{problem}</title>}
      <BaseEdge id={id} path={path} interactionWidth={12} />
      <EdgeRate edgeId={id} path={path} />
    </g>
  );
});

export const ForwardEdge = memo(function ForwardEdge(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition } = props;
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <g data-testid={`edge-${id}`} className="fw-edge">
      <BaseEdge id={id} path={path} interactionWidth={0} />
    </g>
  );
});
