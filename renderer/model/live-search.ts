/**
 * Search over what the live view draws from the host: namespaces by name, label,
 * pod, container (name, id, network name and address) and by any of their
 * links' names and addresses; bridges by name and address. Canvas ids out.
 *
 * Pure.
 */
import type { ObservedHost } from '../../shared/model/observed';
import { nodeId } from '../../shared/model/ids';
import type { Topology } from '../../shared/model/schema';

export function liveSearchIds(q: string, drawnHost: Topology | undefined, observed: ObservedHost | undefined, labels: Record<string, string>): string[] {
  const s = q.trim().toLowerCase();
  if (!s || !observed || !drawnHost) return [];
  const hit = (...xs: (string | undefined)[]) => xs.some((x) => x?.toLowerCase().includes(s));
  const drawn = new Set(drawnHost.namespaces.map((n) => n.name));
  const out = new Set<string>();
  for (const n of observed.namespaces) {
    if (!drawn.has(n.name)) continue;
    const c = n.identity?.containers ?? [];
    const who = [
      n.name,
      labels[n.name],
      n.identity?.pod?.name,
      n.identity?.mininetHost,
      ...c.flatMap((x) => [x.name, x.id, ...x.networks.flatMap((w) => [w.name, w.address])]),
    ];
    if (hit(...who) || (n.links ?? []).some((l) => l.kind !== 'bridge' && hit(l.name, ...(l.addresses ?? []).map((a) => a.cidr))))
      out.add(nodeId.namespace(n.name));
    for (const l of n.links ?? []) if (l.kind === 'bridge' && hit(l.name, ...(l.addresses ?? []).map((a) => a.cidr))) out.add(nodeId.bridge(n.name, l.name));
  }
  return [...out];
}
