/**
 * The fix a failure suggests, worded for where the facts came from: a command to
 * run on the live host (`ip -n NS …`, inside the namespace for sysctl and
 * iptables), or the change to make in the document before applying it.
 *
 * Pure: no node:* imports.
 */
import { HOST_NS } from '../model/schema';
import type { Net } from './net';

/** A command inside namespace `ns` on the live host (`host` = the root namespace). */
export function inNs(ns: string, command: string): string {
  if (ns === HOST_NS) return command;
  if (command.startsWith('ip ')) return `ip -n ${ns} ${command.slice(3)}`;
  return `ip netns exec ${ns} ${command}`;
}

export interface FixText {
  live: string;
  document: string;
}

export const pick = (net: Net, f: FixText): string => (net.source === 'live' ? f.live : f.document);

export const fixLinkUp = (net: Net, ns: string, dev: string) =>
  pick(net, { live: `bring it up: ${inNs(ns, `ip link set dev ${dev} up`)}`, document: `set \`up: true\` on ${dev} in namespace ${ns}` });

export const fixForwarding = (net: Net, ns: string, family: 4 | 6) => {
  const key = family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
  return pick(net, { live: `turn forwarding on: ${inNs(ns, `sysctl -w ${key}=1`)}`, document: `add \`sysctls: { ${key}: "1" }\` to namespace ${ns}` });
};

export const fixRoute = (net: Net, ns: string, dst: string, via?: string, dev?: string) => {
  const spec = `${dst}${via ? ` via ${via}` : ''}${dev ? ` dev ${dev}` : ''}`;
  return pick(net, {
    live: `add a route: ${inNs(ns, `ip route add ${spec}`)}`,
    document: `add to namespace ${ns}: \`routes: [{ to: ${dst}${via ? `, via: ${via}` : ''}${dev ? `, dev: ${dev}` : ''} }]\``,
  });
};

export const fixMasquerade = (net: Net, ns: string, src: string, outDev: string) =>
  pick(net, {
    live: `masquerade it on the way out: ${inNs(ns, `iptables -t nat -A POSTROUTING -s ${src} -o ${outDev} -j MASQUERADE`)}`,
    document: `add to namespace ${ns}: \`nat: [{ action: masquerade, source: ${src}, outInterface: ${outDev} }]\``,
  });

export const fixFilterAccept = (ns: string, chain: string, match: string, family: 4 | 6 = 4) =>
  `accept it before the drop: ${inNs(ns, `${family === 4 ? 'iptables' : 'ip6tables'} -I ${chain} ${match} -j ACCEPT`)}`;

export const fixRpFilter = (net: Net, ns: string) =>
  pick(net, {
    live: `make the path symmetric (a route back by the interface it came in), or loosen the check: ${inNs(ns, 'sysctl -w net.ipv4.conf.all.rp_filter=2')} (and the interface's own rp_filter)`,
    document: `make the path symmetric, or set \`sysctls: { net.ipv4.conf.all.rp_filter: "2" }\` (loose) in namespace ${ns}`,
  });

export const fixLoopback = (net: Net, ns: string) =>
  pick(net, { live: `bring loopback up: ${inNs(ns, 'ip link set dev lo up')}`, document: `set \`loopback: up\` on namespace ${ns}` });
