/**
 * A namespace a document refers to but does not own: a container's or a process's
 * network namespace (or one held by a bind mount, e.g. Docker's /run/docker/netns/*).
 * Apply never creates or deletes it; veths can have an end in it, and those veths
 * are the document's own. Kept in its own file so the schema's other sections can
 * grow without touching it.
 *
 * Pure: no node:* imports.
 */
import { z } from 'zod';
import type { ObservedNamespace } from './observed';
import { NO_CONTROL_CHARS } from '../validate/control-chars';

export const ExternalRef = z
  .union([
    z.strictObject({
      container: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'a container name or id')
        .describe('a Docker / Podman container, by name or id (prefix)'),
    }),
    z.strictObject({ pid: z.number().int().min(2).max(4_194_304).describe('a process whose network namespace it is') }),
    z.strictObject({
      path: z
        .string()
        .max(4096)
        .regex(/^\//, 'an absolute path')
        .regex(NO_CONTROL_CHARS, 'a path without control characters')
        .refine((p) => !p.split('/').includes('..'), 'a path without ..')
        .describe('a namespace file: a bind mount (e.g. /run/docker/netns/…) or /proc/PID/ns/net'),
    }),
  ])
  .describe('an existing namespace this document refers to but does not own: apply never creates or deletes it, and attaches the veths into it');
export type ExternalRef = z.output<typeof ExternalRef>;

/**
 * Whether `ref` points at this observed namespace: a container sharing it (by name,
 * or by an id prefix of 12 or more), a process holding it, or its namespace file
 * (a bind mount of it, or a holder's /proc/PID/ns/net). The live view uses it to
 * draw an external entry over the unnamed namespace it stands for.
 */
export function refersTo(ref: ExternalRef, ns: Pick<ObservedNamespace, 'holders' | 'holder' | 'mounts' | 'identity'>): boolean {
  const pids = ns.holders?.map((h) => h.pid) ?? (ns.holder ? [ns.holder.pid] : []);
  if ('pid' in ref) return pids.includes(ref.pid);
  if ('path' in ref) return !!ns.mounts?.includes(ref.path) || pids.some((p) => ref.path === `/proc/${p}/ns/net`);
  return !!ns.identity?.containers?.some((c) => c.name === ref.container || (ref.container.length >= 12 && c.id.startsWith(ref.container)));
}
