/**
 * A synthetic host for the canvas benchmark (`?bench=N`) and scale tests: N
 * namespaces on a grid, N/10 bridges in host, 1.2·N veths (every namespace to a
 * host bridge, plus one in five to its neighbour). Positions are set, as a saved
 * file would have them.
 */
import { API_VERSION, KIND } from '../../shared/model/schema';
import type { Bridge, Namespace, Topology, Veth } from '../../shared/model/schema';
import { nodeId } from '../../shared/model/ids';
import { NS_W } from './geometry';

export function syntheticTopology(n: number): Topology {
  const namespaces: Namespace[] = [];
  const bridges: Bridge[] = [];
  const veths: Veth[] = [];
  const positions: Record<string, { x: number; y: number }> = {};
  const nb = Math.max(1, Math.round(n / 10));
  for (let b = 0; b < nb; b++) bridges.push({ name: `br${b}`, namespace: 'host', addresses: [`10.${b >> 8}.${b & 255}.1/24`], up: true });
  const cols = Math.ceil(Math.sqrt(n));
  for (let i = 0; i < n; i++) {
    const name = `n${i}`;
    namespaces.push({ name, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] });
    positions[nodeId.namespace(name)] = { x: (i % cols) * (NS_W + 60) + 400, y: Math.floor(i / cols) * 170 };
    const b = i % nb;
    veths.push({
      ends: [
        { namespace: name, name: 'eth0', addresses: [`10.${b >> 8}.${b & 255}.${(Math.floor(i / nb) % 250) + 2}/24`], up: true },
        { namespace: 'host', name: `h${i}`, addresses: [], up: true, master: `br${b}` },
      ],
    });
  }
  for (let i = 0; i + 1 < n && veths.length < Math.round(n * 1.2); i += 5) {
    veths.push({
      ends: [
        { namespace: `n${i}`, name: 'p1', addresses: [`172.16.${(i >> 8) & 255}.${i & 255}/31`], up: true },
        { namespace: `n${i + 1}`, name: 'p0', addresses: [], up: true },
      ],
    });
  }
  positions[nodeId.namespace('host')] = { x: 0, y: 0 };
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name: `bench-${n}` }, namespaces, bridges, veths, forwarders: [], layout: { positions } };
}
