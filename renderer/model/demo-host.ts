/** The made-up host of the demo backend: two namespaces on a bridge, one stray namespace (its end set down, so the host end has no carrier). */
import { API_VERSION, KIND } from '../../shared/model/schema';
import type { Topology } from '../../shared/model/schema';

export function demoHost(): Topology {
  const end = (namespace: string, name: string, addresses: string[] = [], master?: string) => ({
    namespace,
    name,
    addresses,
    up: true,
    ...(master ? { master } : {}),
  });
  const ns = (name: string) => ({ name, loopback: 'up' as const, sysctls: {}, routes: [], nat: [], vrfs: [] });
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: 'demo host' },
    namespaces: [ns('ns1'), ns('ns2'), ns('old-test')],
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['192.168.0.1/24'], up: true }],
    veths: [
      { ends: [end('ns1', 'veth1', ['192.168.0.2/24']), end('host', 'veth1-br', [], 'br0')] },
      { ends: [end('ns2', 'veth2', ['192.168.0.3/24']), end('host', 'veth2-br', [], 'br0')] },
      { ends: [{ ...end('old-test', 'eth0', ['10.9.0.2/24']), up: false }, end('host', 'old-h', ['10.9.0.1/24'])] },
    ],
    forwarders: [],
  };
}
