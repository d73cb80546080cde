/**
 * A label for every namespace from the best identity its holders have:
 * Docker / Podman container (name, id, networks), Kubernetes pod, Mininet host,
 * systemd-nspawn machine; else the first holder's command name and PID; for a
 * namespace only a bind mount holds, the mount path.
 */
import type { NamespaceIdentity, ObservedContainer } from '../../shared/model/observed';
import { cgroupOwner, mininetHost, type CgroupOwner } from './cgroup';
import { lookUpContainers, type ContainerInfo } from './containers';
import { podOfContainer } from './cri';
import { procArgv, procText } from './holders';
import type { Target } from './targets';

/** Set `identity` on every target but `host` and the named ones no process or mount holds beyond their name. */
export async function identify(targets: Target[]): Promise<void> {
  const owners = new Map<Target, CgroupOwner[]>();
  const ids = { docker: new Set<string>(), podman: new Set<string>() };
  for (const t of targets) {
    if (!t.holders) continue;
    const found: CgroupOwner[] = [];
    for (const h of t.holders) {
      const o = cgroupOwner(procText(h.pid, 'cgroup'));
      if (!o || found.some((f) => JSON.stringify(f) === JSON.stringify(o))) continue;
      found.push(o);
      if (o.kind === 'docker' || o.kind === 'podman') ids[o.kind].add(o.id);
      if (o.kind === 'kubernetes' && o.runtime === 'docker') ids.docker.add(o.id);
    }
    owners.set(t, found);
  }
  const containers = await lookUpContainers(ids);
  for (const t of targets) {
    const id = identityOf(t, owners.get(t) ?? [], containers);
    if (id) t.identity = id;
  }
}

function identityOf(t: Target, owners: CgroupOwner[], containers: Map<string, ContainerInfo>): NamespaceIdentity | undefined {
  // Kubernetes first: a pod's containers are also Docker/containerd containers
  for (const o of owners) {
    if (o.kind !== 'kubernetes') continue;
    const pod = podOfContainer(o.id) ?? labelsPod(containers.get(o.id)?.labels);
    if (pod) return { source: 'kubernetes', label: `pod ${pod.namespace}/${pod.name}`, pod };
  }
  const found = owners
    .filter((o): o is Extract<CgroupOwner, { kind: 'docker' | 'podman' }> => o.kind === 'docker' || o.kind === 'podman')
    .map((o) => containers.get(o.id) ?? ({ runtime: o.kind, id: o.id, name: o.id.slice(0, 12), networks: [], labels: {} } as ContainerInfo));
  if (found.length) {
    const byId = new Map(found.map((c) => [c.id, c]));
    const sharedFrom = (c: ContainerInfo) => (c.networkMode?.startsWith('container:') ? c.networkMode.slice('container:'.length) : undefined);
    // the container that made the namespace first, then those that joined it
    const list: ObservedContainer[] = found
      .sort((a, b) => Number(!!sharedFrom(a)) - Number(!!sharedFrom(b)) || a.name.localeCompare(b.name))
      .map((c) => {
        const o: ObservedContainer = { runtime: c.runtime, id: c.id, name: c.name, networks: c.networks };
        const from = sharedFrom(c);
        if (from) {
          o.sharesWith = byId.get(from)?.name ?? [...byId.values()].find((x) => x.name === from)?.name ?? from;
          o.networks = [];
        }
        if (c.ports) o.ports = c.ports;
        return o;
      });
    const pod = labelsPod(found[0].labels);
    if (pod) return { source: 'kubernetes', label: `pod ${pod.namespace}/${pod.name}`, pod, containers: list };
    const names = list.map((c) => c.name);
    return { source: list[0].runtime, label: `${list[0].runtime} ${names[0]}${names.length > 1 ? ` (+${names.slice(1).join(', ')})` : ''}`, containers: list };
  }
  for (const h of t.holders ?? []) {
    const host = mininetHost(procArgv(h.pid));
    if (host) return { source: 'mininet', label: `mininet ${host}`, mininetHost: host };
  }
  for (const o of owners) if (o.kind === 'nspawn') return { source: 'nspawn', label: `machine ${o.machine}`, machine: o.machine };
  if (t.named) return undefined; // its name says it
  const first = t.holders?.[0];
  if (first) return { source: 'process', label: `${first.comm || '?'} ${first.pid}` };
  if (t.mounts?.length) return { source: 'mount', label: t.mounts[0] };
  return undefined;
}

function labelsPod(labels: Record<string, string> | undefined) {
  const name = labels?.['io.kubernetes.pod.name'];
  const namespace = labels?.['io.kubernetes.pod.namespace'];
  return name && namespace ? { namespace, name } : undefined;
}
