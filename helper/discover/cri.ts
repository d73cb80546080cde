/**
 * Kubernetes pod of a CRI container, read-only from the runtime's state: the OCI
 * bundle's config.json annotations (containerd:
 * /run/containerd/io.containerd.runtime.v2.task/k8s.io/ID, CRI-O:
 * /run/containers/storage/overlay-containers/ID/userdata), or dockershim's
 * container labels.
 */
import { readFileSync } from 'node:fs';

type Pod = { namespace: string; name: string };

const BUNDLES = [
  (id: string) => `/run/containerd/io.containerd.runtime.v2.task/k8s.io/${id}/config.json`,
  (id: string) => `/run/containers/storage/overlay-containers/${id}/userdata/config.json`,
];

/** The pod named by CRI annotations or labels (pure). */
export function podOf(annotations: Record<string, unknown> | undefined): Pod | undefined {
  if (!annotations) return undefined;
  const pick = (...keys: string[]) => keys.map((k) => annotations[k]).find((v): v is string => typeof v === 'string' && v.length > 0);
  const name = pick('io.kubernetes.cri.sandbox-name', 'io.kubernetes.pod.name');
  const namespace = pick('io.kubernetes.cri.sandbox-namespace', 'io.kubernetes.pod.namespace');
  return name && namespace ? { namespace, name } : undefined;
}

export function podOfContainer(id: string): Pod | undefined {
  for (const path of BUNDLES) {
    try {
      const pod = podOf(JSON.parse(readFileSync(path(id), 'utf8'))?.annotations);
      if (pod) return pod;
    } catch {
      /* not this runtime */
    }
  }
  return undefined;
}
