/**
 * The helper's answer to `hello` before it has loaded zod and its methods
 * (../main.ts): a client's first request is hello, and it should not wait for
 * the rest of the helper to be read.
 *
 * This is no second schema: it takes only a request that is plainly a well-formed
 * hello (`{id, method: "hello", params?: {client?}}`, nothing else) and passes
 * everything else, doubtful or wrong, on to the dispatcher, whose zod schemas
 * answer it (shared/protocol/messages.ts Request and HelloParams). early.test.ts
 * holds it to them: whatever this takes, they take with the same id.
 */
import type { Routed } from '../server';
import { helloInfo } from './info';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
const onlyKeys = (o: Record<string, unknown>, allowed: readonly string[]) => Object.keys(o).every((k) => allowed.includes(k));

/** A RequestId for sure: an integer the schema's `int()` takes, or a string of 1–100 UTF-16 units. */
const plainId = (id: unknown): id is number | string =>
  (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) || (typeof id === 'string' && id.length >= 1 && id.length <= 100);

/** The hello call when `raw` is plainly a valid hello request, else undefined (the dispatcher decides). */
export function earlyHello(raw: unknown): Routed | undefined {
  if (!isPlainObject(raw) || raw.method !== 'hello' || !onlyKeys(raw, ['id', 'method', 'params']) || !plainId(raw.id)) return undefined;
  const p = raw.params;
  if (p !== undefined && !(isPlainObject(p) && onlyKeys(p, ['client']) && (p.client === undefined || (typeof p.client === 'string' && p.client.length <= 200))))
    return undefined;
  return { id: raw.id, method: 'hello', call: async () => ({ result: await helloInfo() }) };
}
