/** Edges: a veth (solid, coloured by live status) and a forwarder leg (dashed). */
import { memo } from 'react';
import { BaseEdge, getBezierPath } from '@xyflow/react';
import type { EdgeProps } from '@xyflow/react';
import { useLive } from '../store/live-store';

export const VethEdge = memo(function VethEdge(props: EdgeProps) {
  const { id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, data } = props;
  const problem = (data as { problem?: string } | undefined)?.problem;
  const status = useLive((s) => (s.enabled ? s.status[id.replace(/~\d+$/, '')] : undefined));
  const [path] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  return (
    <g data-testid={`edge-${id}`} data-problem={problem} className={`veth-edge${selected ? ' selected' : ''}${status ? ` live-${status}` : ''}${problem ? ' has-problem' : ''}`}>
      {problem && <title>{problem}</title>}
      <BaseEdge id={id} path={path} interactionWidth={12} />
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
