/**
 * What makes two reads of a namespace "the same" for watch: everything observed
 * except traffic counters, which move all the time and are not a change anyone
 * needs an event for.
 */
import type { ObservedNamespace } from '../../shared/model/observed';

export function fingerprint(ns: ObservedNamespace): string {
  return JSON.stringify(ns, (k, v) => (k === 'stats' ? undefined : v));
}
