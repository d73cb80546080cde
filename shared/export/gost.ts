/**
 * Forwarders as a GOST configuration: a `services:` list in the form of GOST's
 * network-namespace guide. Each forwarder is one service listening on
 * LISTEN_IP:PORT with a tcp|udp handler and listener, forwarding to one node
 * (`target-0`). `metadata.netns` is the namespace it listens in and
 * `metadata.netns.out` the one it dials out of; `host` (GOST's default
 * namespace) is expressed by leaving the key out.
 */
import { Document } from 'yaml';
import { HOST_NS, type Forwarder, type Topology } from '../model/schema';

export interface GostService {
  name: string;
  addr: string;
  handler: { type: 'tcp' | 'udp' };
  listener: { type: 'tcp' | 'udp' };
  forwarder: { nodes: { name: string; addr: string }[] };
  metadata?: { netns?: string; 'netns.out'?: string };
}

/** `10.0.0.1:8000`, `[2001:db8::1]:8000`, `example.com:53`. */
export function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

export function gostService(f: Forwarder): GostService {
  const metadata: NonNullable<GostService['metadata']> = {};
  if (f.listen.namespace !== HOST_NS) metadata.netns = f.listen.namespace;
  if (f.target.namespace !== HOST_NS) metadata['netns.out'] = f.target.namespace;
  return {
    name: f.name,
    addr: hostPort(f.listen.address, f.listen.port),
    handler: { type: f.protocol },
    listener: { type: f.protocol },
    forwarder: { nodes: [{ name: 'target-0', addr: hostPort(f.target.address, f.target.port) }] },
    ...(Object.keys(metadata).length ? { metadata } : {}),
  };
}

export function gostServices(t: Topology): GostService[] {
  return t.forwarders.map(gostService);
}

/** The GOST YAML (`gost -C FILE`) for the document's forwarders, in document order. */
export function exportGost(t: Topology): string {
  const doc = new Document({ services: gostServices(t) });
  const name = t.metadata.name ? ` of ${t.metadata.name}` : '';
  doc.commentBefore = ` GOST services for the forwarders${name}, written by netns-studio.\n Run: gost -C THIS_FILE (netns = listen namespace, netns.out = dial namespace).`;
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}
