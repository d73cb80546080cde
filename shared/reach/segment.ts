/**
 * Layer 2 as the analysis sees it: where a frame sent out of an interface can
 * land. A veth delivers to its peer; a peer enslaved to a bridge floods to the
 * bridge device itself and to every other port (and through their veths on,
 * bridges chained by veths included). Each landing spot keeps the crossings
 * that lead there, so the walk can check every link and bridge on the way.
 * Built once per (namespace, interface) and kept with the network.
 *
 * Pure: no node:* imports.
 */
import type { Ip } from '../validate/ip';
import { ipKey, type Net, type NetLink, type NetNs } from './net';

export type Crossing =
  | { kind: 'veth'; from: NetNs; fromLink: NetLink; to: NetNs; toLink: NetLink }
  | { kind: 'bridge'; ns: NetNs; bridge: NetLink; inPort?: NetLink; outPort?: NetLink };

export interface Endpoint {
  ns: NetNs;
  /** the interface the frame arrives on (a veth end or a bridge device) */
  link: NetLink;
  path: Crossing[];
}

export interface Segment {
  endpoints: Endpoint[];
  /** per family, address (ipKey) → the first endpoint that answers ARP / neighbour solicitation for it */
  owners: { 4: Map<string, Endpoint>; 6: Map<string, Endpoint> };
  /** a frame also leaves the host here (a physical or other port on the way) */
  exits: { ns: NetNs; link: NetLink }[];
}

/** Segments by the link they start from, per network (a Net never changes once built; a link belongs to one namespace). */
const cache = new WeakMap<Net, Map<NetLink, Segment>>();

export function segmentOf(net: Net, ns: NetNs, link: NetLink): Segment {
  let m = cache.get(net);
  if (!m) cache.set(net, (m = new Map()));
  let s = m.get(link);
  if (!s) m.set(link, (s = build(net, ns, link)));
  return s;
}

function build(net: Net, ns: NetNs, link: NetLink): Segment {
  const endpoints: Endpoint[] = [];
  const exits: Segment['exits'] = [];
  const bridgesSeen = new Set<string>();
  const portsOf = (n: NetNs, br: NetLink) => [...n.links.values()].filter((p) => p.master === br.name);

  const leave = (n: NetNs, l: NetLink, path: Crossing[]) => {
    if (l.kind === 'veth') {
      const peerNs = l.peer ? net.namespaces.get(l.peer.ns) : undefined;
      const peer = peerNs?.links.get(l.peer!.name);
      if (!peerNs || !peer) return;
      const p = [...path, { kind: 'veth' as const, from: n, fromLink: l, to: peerNs, toLink: peer }];
      const master = peer.master ? peerNs.links.get(peer.master) : undefined;
      if (master?.kind === 'bridge') bridge(peerNs, master, peer, p);
      else endpoints.push({ ns: peerNs, link: peer, path: p });
    } else if (l.kind === 'bridge') bridge(n, l, undefined, path);
    else if (l.kind !== 'loopback' && l.kind !== 'vrf') exits.push({ ns: n, link: l });
  };
  const bridge = (n: NetNs, br: NetLink, inPort: NetLink | undefined, path: Crossing[]) => {
    const key = `${n.name}\0${br.name}`;
    if (bridgesSeen.has(key)) return;
    bridgesSeen.add(key);
    if (inPort) endpoints.push({ ns: n, link: br, path: [...path, { kind: 'bridge', ns: n, bridge: br, inPort }] });
    for (const port of portsOf(n, br)) {
      if (port === inPort) continue;
      leave(n, port, [...path, { kind: 'bridge', ns: n, bridge: br, inPort, outPort: port }]);
    }
  };
  leave(ns, link, []);

  const owners = { 4: new Map<string, Endpoint>(), 6: new Map<string, Endpoint>() };
  for (const ep of endpoints) {
    // IPv4 answers ARP for any address of the namespace (arp_ignore=0); IPv6 only for the interface's own
    for (const k of ep.ns.local.keys()) if (!k.includes(':') && !owners[4].has(k)) owners[4].set(k, ep);
    for (const a of ep.link.addrs) if (a.family === 6 && !owners[6].has(ipKey(a.ip))) owners[6].set(ipKey(a.ip), ep);
  }
  return { endpoints, owners, exits };
}

export const ownerOf = (s: Segment, ip: Ip): Endpoint | undefined => s.owners[ip.kind() === 'ipv4' ? 4 : 6].get(ipKey(ip));
