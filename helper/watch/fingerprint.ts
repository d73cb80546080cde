/**
 * What makes two reads of a namespace "the same" for watch: everything observed
 * except traffic counters, which move all the time and are not a change anyone
 * needs an event for.
 */
import { createHash } from 'node:crypto';
import type { ObservedNamespace } from '../../shared/model/observed';

export function fingerprint(ns: ObservedNamespace): string {
  return JSON.stringify(ns, (k, v) => (k === 'stats' ? undefined : v));
}

/**
 * The fingerprint as a short hash: what a watch session keeps per namespace to
 * compare the next read with (the whole JSON, ~3 KB a namespace, would be a second
 * copy of everything it watches).
 */
export function digest(ns: ObservedNamespace): string {
  return createHash('sha1').update(fingerprint(ns)).digest('base64');
}
