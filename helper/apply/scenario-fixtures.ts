/**
 * The seed scenarios as topology documents plus the plain `ip` script each was
 * written from (the reference: the host after applying the document must dump
 * exactly like the host after this script). Scripts use $P, the sandbox prefix.
 * Forwarders of scenario 01 are left out here (they need the forwarder runtime).
 */
import { HOST_NS, type TopologyInput } from '../../shared/model/schema';

export interface ApplyScenario {
  name: string;
  doc: TopologyInput;
  reference: string;
  /** true when the kernel needs VRF */
  vrf?: boolean;
}

const T = { apiVersion: 'netns-studio/v1' as const, kind: 'Topology' as const };

export const APPLY_SCENARIOS: ApplyScenario[] = [
  {
    name: '01-gost-forwarders',
    doc: {
      ...T,
      namespaces: [{ name: 'host' }, { name: 'ns1' }, { name: 'ns2' }],
      veths: [
        { ends: [{ namespace: 'host', name: 'veth0', addresses: ['10.0.0.11/24'] }, { namespace: 'ns1', name: 'veth1', addresses: ['10.0.0.1/24'] }] },
        { ends: [{ namespace: 'host', name: 'veth2', addresses: ['10.0.1.11/24'] }, { namespace: 'ns2', name: 'veth3', addresses: ['10.0.1.1/24'] }] },
      ],
    },
    reference: `
ip netns add \${P}ns1
ip link add dev veth0 type veth peer name veth1 netns \${P}ns1
ip addr add 10.0.0.11/24 dev veth0
ip link set dev veth0 up
ip -n \${P}ns1 addr add 10.0.0.1/24 dev veth1
ip -n \${P}ns1 link set dev lo up
ip -n \${P}ns1 link set dev veth1 up
ip netns add \${P}ns2
ip link add dev veth2 type veth peer name veth3 netns \${P}ns2
ip addr add 10.0.1.11/24 dev veth2
ip link set dev veth2 up
ip -n \${P}ns2 addr add 10.0.1.1/24 dev veth3
ip -n \${P}ns2 link set dev lo up
ip -n \${P}ns2 link set dev veth3 up`,
  },
  {
    name: '02-veth-to-host',
    doc: {
      ...T,
      namespaces: [{ name: 'ns1' }],
      veths: [{ ends: [{ namespace: 'host', name: 'veth0', addresses: ['10.0.0.1/24'] }, { namespace: 'ns1', name: 'veth1', addresses: ['10.0.0.2/24'] }] }],
    },
    reference: `
ip netns add \${P}ns1
ip -n \${P}ns1 link set dev lo up
ip link add veth0 type veth peer name veth1
ip link set veth1 netns \${P}ns1
ip addr add 10.0.0.1/24 dev veth0
ip link set dev veth0 up
ip -n \${P}ns1 addr add 10.0.0.2/24 dev veth1
ip -n \${P}ns1 link set dev veth1 up`,
  },
  {
    name: '03-bridge-lan',
    doc: {
      ...T,
      namespaces: [1, 2].map((i) => ({ name: `ns${i}`, routes: [{ to: 'default', via: '192.168.0.1', dev: `veth${i}` }], dns: { nameservers: ['10.3.9.4'] } })),
      bridges: [{ name: 'br0', namespace: 'host', addresses: ['192.168.0.1/24'] }],
      veths: [1, 2].map((i) => ({ ends: [{ namespace: `ns${i}`, name: `veth${i}`, addresses: [`192.168.0.${i + 1}/24`] }, { namespace: 'host', name: `veth${i}-br`, master: 'br0' }] as [object, object] })) as TopologyInput['veths'],
    },
    reference: `
ip netns add \${P}ns1
ip netns add \${P}ns2
ip link add br0 type bridge
ip addr add 192.168.0.1/24 dev br0
ip link set dev br0 up
for i in 1 2; do
  ip link add veth$i type veth peer name veth$i-br
  ip link set veth$i netns \${P}ns$i
  ip link set veth$i-br master br0
  ip link set dev veth$i-br up
  ip -n \${P}ns$i addr add 192.168.0.$((i+1))/24 dev veth$i
  ip -n \${P}ns$i link set dev lo up
  ip -n \${P}ns$i link set dev veth$i up
  ip -n \${P}ns$i route add default via 192.168.0.1 dev veth$i
  mkdir -p /etc/netns/\${P}ns$i
  echo "nameserver 10.3.9.4" > /etc/netns/\${P}ns$i/resolv.conf
done`,
  },
  {
    name: '04-router-nat',
    doc: {
      ...T,
      namespaces: [
        { name: 'ns1', routes: [{ to: 'default', via: '192.168.1.254' }] },
        { name: 'ns2', routes: [{ to: 'default', via: '192.168.2.254' }] },
        { name: 'ns-router', sysctls: { 'net.ipv4.ip_forward': '1' }, nat: [{ action: 'masquerade', source: '192.168.1.0/24', outInterface: 'veth-router2' }] },
      ],
      veths: [
        { ends: [{ namespace: 'ns1', name: 'veth-ns1', addresses: ['192.168.1.1/24'] }, { namespace: 'ns-router', name: 'veth-router1', addresses: ['192.168.1.254/24'] }] },
        { ends: [{ namespace: 'ns2', name: 'veth-ns2', addresses: ['192.168.2.1/24'] }, { namespace: 'ns-router', name: 'veth-router2', addresses: ['192.168.2.254/24'] }] },
      ],
    },
    reference: `
ip netns add \${P}ns1
ip netns add \${P}ns2
ip netns add \${P}ns-router
ip link add veth-ns1 type veth peer name veth-router1
ip link add veth-ns2 type veth peer name veth-router2
ip link set veth-ns1 netns \${P}ns1
ip link set veth-router1 netns \${P}ns-router
ip link set veth-ns2 netns \${P}ns2
ip link set veth-router2 netns \${P}ns-router
ip netns exec \${P}ns1 ip addr add 192.168.1.1/24 dev veth-ns1
ip netns exec \${P}ns-router ip addr add 192.168.1.254/24 dev veth-router1
ip netns exec \${P}ns-router ip addr add 192.168.2.254/24 dev veth-router2
ip netns exec \${P}ns2 ip addr add 192.168.2.1/24 dev veth-ns2
ip netns exec \${P}ns1 ip link set veth-ns1 up
ip netns exec \${P}ns-router ip link set veth-router1 up
ip netns exec \${P}ns-router ip link set veth-router2 up
ip netns exec \${P}ns2 ip link set veth-ns2 up
for n in ns1 ns2 ns-router; do ip -n \${P}$n link set lo up; done
ip netns exec \${P}ns-router sysctl -qw net.ipv4.ip_forward=1
ip netns exec \${P}ns1 ip route add default via 192.168.1.254
ip netns exec \${P}ns2 ip route add default via 192.168.2.254
ip netns exec \${P}ns-router iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o veth-router2 -j MASQUERADE`,
  },
  {
    name: '05-vrf-router',
    vrf: true,
    doc: {
      ...T,
      namespaces: [
        { name: 'ns1', routes: [{ to: 'default', via: '192.168.1.254' }] },
        { name: 'ns2', routes: [{ to: 'default', via: '192.168.2.254' }] },
        { name: 'ns-router', sysctls: { 'net.ipv4.ip_forward': '1' }, vrfs: [{ name: 'vrf1', table: 100 }] },
      ],
      veths: [
        { ends: [{ namespace: 'ns1', name: 'veth-ns1', addresses: ['192.168.1.1/24'] }, { namespace: 'ns-router', name: 'veth-router1', addresses: ['192.168.1.254/24'], master: 'vrf1' }] },
        { ends: [{ namespace: 'ns2', name: 'veth-ns2', addresses: ['192.168.2.1/24'] }, { namespace: 'ns-router', name: 'veth-router2', addresses: ['192.168.2.254/24'], master: 'vrf1' }] },
      ],
    },
    reference: `
ip netns add \${P}ns1
ip netns add \${P}ns2
ip netns add \${P}ns-router
ip link add veth-ns1 netns \${P}ns1 type veth peer name veth-router1 netns \${P}ns-router
ip link add veth-ns2 netns \${P}ns2 type veth peer name veth-router2 netns \${P}ns-router
ip -n \${P}ns-router link add vrf1 type vrf table 100
ip -n \${P}ns-router link set vrf1 up
ip -n \${P}ns-router link set veth-router1 master vrf1
ip -n \${P}ns-router link set veth-router2 master vrf1
ip -n \${P}ns1 addr add 192.168.1.1/24 dev veth-ns1
ip -n \${P}ns-router addr add 192.168.1.254/24 dev veth-router1
ip -n \${P}ns-router addr add 192.168.2.254/24 dev veth-router2
ip -n \${P}ns2 addr add 192.168.2.1/24 dev veth-ns2
for p in "ns1 veth-ns1" "ns2 veth-ns2" "ns-router veth-router1" "ns-router veth-router2" "ns1 lo" "ns2 lo" "ns-router lo"; do
  set -- $p; ip -n \${P}$1 link set $2 up
done
ip netns exec \${P}ns-router sysctl -qw net.ipv4.ip_forward=1
ip -n \${P}ns1 route add default via 192.168.1.254
ip -n \${P}ns2 route add default via 192.168.2.254`,
  },
  {
    name: '06-client-server',
    doc: {
      ...T,
      namespaces: [{ name: 'client', loopback: 'down' }, { name: 'server', loopback: 'down' }, { name: 'test', loopback: 'down' }],
      veths: [
        { ends: [{ namespace: 'server', name: 'pair-server', addresses: ['10.0.0.2/24'] }, { namespace: 'client', name: 'pair-client', addresses: ['10.0.0.1/24'] }] },
        { ends: [{ namespace: 'test', name: 'pair-test', addresses: ['10.0.0.1/24'] }, { namespace: 'host', name: 'pair-host', addresses: ['10.0.0.2/24'] }] },
      ],
    },
    reference: `
ip netns add \${P}client
ip netns add \${P}server
ip link add pair-server type veth peer name pair-client
ip link set pair-server netns \${P}server
ip link set pair-client netns \${P}client
ip netns exec \${P}client ip addr add 10.0.0.1/24 dev pair-client
ip netns exec \${P}server ip addr add 10.0.0.2/24 dev pair-server
ip netns exec \${P}client ip link set dev pair-client up
ip netns exec \${P}server ip link set dev pair-server up
ip netns add \${P}test
ip link add pair-test type veth peer name pair-host
ip link set pair-test netns \${P}test
ip netns exec \${P}test ip addr add 10.0.0.1/24 dev pair-test
ip addr add 10.0.0.2/24 dev pair-host
ip netns exec \${P}test ip link set dev pair-test up
ip link set dev pair-host up`,
  },
];

/** The document with every namespace name carrying the sandbox prefix (`host` stays `host`). */
export function prefixDocument(doc: TopologyInput, ns: (name: string) => string): TopologyInput {
  const p = (n: string) => (n === HOST_NS ? n : ns(n));
  return {
    ...doc,
    namespaces: doc.namespaces?.map((n) => ({ ...n, name: p(n.name) })),
    bridges: doc.bridges?.map((b) => ({ ...b, namespace: p(b.namespace) })),
    veths: doc.veths?.map((v) => ({ ends: v.ends.map((e) => ({ ...e, namespace: p(e.namespace) })) as typeof v.ends })),
    forwarders: doc.forwarders?.map((f) => ({ ...f, listen: { ...f.listen, namespace: p(f.listen.namespace) }, target: { ...f.target, namespace: p(f.target.namespace) } })),
  };
}
