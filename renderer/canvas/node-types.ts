/** Module constants: React Flow re-mounts every node when these objects change identity. */
import type { EdgeTypes, NodeTypes } from '@xyflow/react';
import { BridgeNode, CompactNode, ForwarderNode, NamespaceNode, VrfNode } from './nodes';
import { ForwardEdge, VethEdge } from './edges';

export const nodeTypes: NodeTypes = { namespace: NamespaceNode, compact: CompactNode, bridge: BridgeNode, vrf: VrfNode, forwarder: ForwarderNode } as NodeTypes;
export const edgeTypes: EdgeTypes = { veth: VethEdge, forward: ForwardEdge };
