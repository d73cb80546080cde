/**
 * What a request line asks the helper for, by the protocol's schemas: the
 * envelope checked (shared/protocol/messages.ts Request), the method looked up in
 * the registry, its params checked by the method's own schema. The server
 * (./server.ts) runs the call and writes the answer; this part needs zod and
 * every method, so the helper loads it after its first hello (./main.ts).
 */
import { z } from 'zod';
import { PROTOCOL_ERROR, Request } from '../shared/protocol/messages';
import { errorBodyOf, type MethodContext, type MethodDef } from './methods/registry';
import type { Dispatch } from './server';

/** A method as the dispatcher sees it: looked up by the name on the wire, its params checked by its own schema. */
type Dispatchable = { name: string; params: z.ZodType; handler(params: unknown, ctx: MethodContext): unknown };

export function dispatcher(methods: readonly MethodDef[]): Dispatch {
  const table = new Map<string, Dispatchable>(methods.map((m): [string, Dispatchable] => [m.name, m]));
  return (raw) => {
    const req = Request.safeParse(raw);
    if (!req.success) {
      const id = Request.shape.id.safeParse((raw as { id?: unknown })?.id);
      return {
        id: id.success ? id.data : null,
        error: { code: PROTOCOL_ERROR.badMessage, message: 'not a request {id, method, params}', detail: z.treeifyError(req.error) },
      };
    }
    const { id, method, params } = req.data;
    const def = table.get(method);
    if (!def)
      return { id, error: { code: PROTOCOL_ERROR.unknownMethod, message: `unknown method ${JSON.stringify(method)}`, detail: { known: [...table.keys()] } } };
    const parsed = def.params.safeParse(params);
    if (!parsed.success)
      return {
        id,
        error: { code: PROTOCOL_ERROR.badParams, message: `bad params for ${method}: ${z.prettifyError(parsed.error)}`, detail: z.treeifyError(parsed.error) },
      };
    return {
      id,
      method,
      call: async (ctx) => {
        try {
          return { result: await def.handler(parsed.data, ctx) };
        } catch (e) {
          const error = errorBodyOf(e);
          if (error) return { error };
          throw e;
        }
      },
    };
  };
}
