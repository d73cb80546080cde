import { z } from 'zod';
import { Topology } from './schema';

/** JSON Schema of a topology file as a person writes it (defaults optional). */
export function topologyJsonSchema(): Record<string, unknown> {
  return { title: 'Netns Studio topology', ...z.toJSONSchema(Topology, { io: 'input' }) };
}
