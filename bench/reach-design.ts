/**
 * The 200-namespace design bench:reach (and a profile of it) predicts: a core
 * router namespace with four bridges (four LANs), forwarding on, one LAN
 * masqueraded towards the others. Its own module so it can be written to a
 * file without running the bench.
 */
import type { TopologyInput } from '../shared/model/schema';

export const LANS = 4;

export function lanDocument(n: number): TopologyInput {
  const per = Math.ceil(n / LANS);
  const namespaces: NonNullable<TopologyInput['namespaces']> = [
    { name: 'core', sysctls: { 'net.ipv4.ip_forward': '1' }, nat: [{ action: 'masquerade', source: '10.3.0.0/16', outInterface: 'br0' }] },
  ];
  const bridges: NonNullable<TopologyInput['bridges']> = [];
  const veths: NonNullable<TopologyInput['veths']> = [];
  for (let l = 0; l < LANS; l++) bridges.push({ name: `br${l}`, namespace: 'core', addresses: [`10.${l}.0.1/16`] });
  for (let i = 0; i < n; i++) {
    const l = Math.floor(i / per);
    const k = (i % per) + 2;
    namespaces.push({ name: `s${i}`, routes: [{ to: 'default', via: `10.${l}.0.1` }] });
    veths.push({
      ends: [
        { namespace: `s${i}`, name: 'eth0', addresses: [`10.${l}.${Math.floor(k / 250)}.${(k % 250) + 1}/16`] },
        { namespace: 'core', name: `p${i}`, master: `br${l}` },
      ],
    });
  }
  return { apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: { name: `lans-${n}` }, namespaces, bridges, veths };
}
