/**
 * Reference builds of the scenarios the e2e tests compare against, run inside a
 * sandbox with plain `ip` (names carry the sandbox prefix $P; `host` is the sandbox's
 * host namespace). Transcribed from the scenarios' up scripts.
 */
import { spawn } from 'node:child_process';
import { run } from '../testing/run';
import type { Sandbox } from '../testing/sandbox';
import type { TopologyInput } from '../shared/model/schema';

/** 03-bridge-lan: two namespaces on a host bridge that is their default gateway. */
export async function up03(sb: Sandbox): Promise<void> {
  const r = await sb.bash(`
    ip netns add \${P}ns1
    ip netns add \${P}ns2
    ip link add name br0 type bridge
    ip addr add 192.168.0.1/24 dev br0
    ip link set dev br0 up
    for i in 1 2; do
      ip link add name veth$i type veth peer name veth$i-br
      ip link set dev veth$i netns \${P}ns$i
      ip link set dev veth$i-br master br0
      ip link set dev veth$i-br up
      ip -n \${P}ns$i addr add 192.168.0.$((i+1))/24 dev veth$i
      ip -n \${P}ns$i link set dev lo up
      ip -n \${P}ns$i link set dev veth$i up
      ip -n \${P}ns$i route add default via 192.168.0.1 dev veth$i
      mkdir -p /etc/netns/\${P}ns$i
      echo "nameserver 10.3.9.4" > /etc/netns/\${P}ns$i/resolv.conf
    done`);
  if (r.code !== 0) throw new Error(`reference up 03 failed: ${r.stderr}`);
}

/** 04-router-nat: two namespaces routed through a third that forwards and masquerades. */
export async function up04(sb: Sandbox): Promise<void> {
  const r = await sb.bash(`
    for n in ns1 ns2 ns-router; do ip netns add \${P}$n; ip -n \${P}$n link set dev lo up; done
    ip link add name veth-ns1 type veth peer name veth-router1
    ip link add name veth-ns2 type veth peer name veth-router2
    ip link set dev veth-ns1 netns \${P}ns1
    ip link set dev veth-router1 netns \${P}ns-router
    ip link set dev veth-ns2 netns \${P}ns2
    ip link set dev veth-router2 netns \${P}ns-router
    ip -n \${P}ns1 addr add 192.168.1.1/24 dev veth-ns1
    ip -n \${P}ns-router addr add 192.168.1.254/24 dev veth-router1
    ip -n \${P}ns-router addr add 192.168.2.254/24 dev veth-router2
    ip -n \${P}ns2 addr add 192.168.2.1/24 dev veth-ns2
    ip -n \${P}ns1 link set dev veth-ns1 up
    ip -n \${P}ns-router link set dev veth-router1 up
    ip -n \${P}ns-router link set dev veth-router2 up
    ip -n \${P}ns2 link set dev veth-ns2 up
    ip netns exec \${P}ns-router sysctl -qw net.ipv4.ip_forward=1
    ip -n \${P}ns1 route add default via 192.168.1.254
    ip -n \${P}ns2 route add default via 192.168.2.254
    ip netns exec \${P}ns-router iptables -t nat -A POSTROUTING -s 192.168.1.0/24 -o veth-router2 -j MASQUERADE`);
  if (r.code !== 0) throw new Error(`reference up 04 failed: ${r.stderr}`);
}

/** FROM namespace, TARGET address, and the namespace that holds TARGET. */
export type Reach = [from: string, target: string, targetNs: string];

export const REACH_03: Reach[] = [
  ['ns1', '192.168.0.1', 'host'],
  ['ns1', '192.168.0.3', 'ns2'],
  ['ns2', '192.168.0.2', 'ns1'],
  ['host', '192.168.0.2', 'ns1'],
];

const netns = (sb: Sandbox, ns: string) => ['nsenter', `--net=/run/netns/${ns === 'host' ? sb.hostNs : sb.ns(ns)}`];

/**
 * Reachability as the scenarios' ping lists mean it, checked with a TCP connection
 * (the machine has no `ping`; socat is in CI): listen on TARGET inside its namespace,
 * connect from FROM within a second. Returns the checks that failed.
 */
export async function unreachable(sb: Sandbox, checks: Reach[]): Promise<string[]> {
  const failed: string[] = [];
  let port = 40000 + Math.floor(Math.random() * 10000);
  for (const [from, target, targetNs] of checks) {
    port++;
    const listener = spawn(
      netns(sb, targetNs)[0],
      [...netns(sb, targetNs).slice(1), 'socat', '-u', `TCP-LISTEN:${port},bind=${target},reuseaddr`, '/dev/null'],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 150));
      const r = await run([...netns(sb, from), 'socat', '-u', '/dev/null', `TCP:${target}:${port},connect-timeout=1`], { timeoutMs: 3000 });
      if (r.code !== 0) failed.push(`${from} → ${target}`);
    } finally {
      listener.kill('SIGKILL');
    }
  }
  return failed;
}

/** Scenario 03 as a topology document, namespaces carrying the sandbox prefix. */
export function topology03(prefix: string): TopologyInput {
  const ns = (i: number) => ({
    name: `${prefix}ns${i}`,
    loopback: 'up' as const,
    routes: [{ to: 'default', via: '192.168.0.1', dev: `veth${i}` }],
    dns: { nameservers: ['10.3.9.4'] },
  });
  const veth = (i: number) => ({
    ends: [
      { namespace: `${prefix}ns${i}`, name: `veth${i}`, addresses: [`192.168.0.${i + 1}/24`], up: true },
      { namespace: 'host', name: `veth${i}-br`, addresses: [], up: true, master: 'br0' },
    ] as [VethEndInput, VethEndInput],
  });
  return {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    metadata: { name: '03-bridge-lan' },
    namespaces: [ns(1), ns(2)],
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['192.168.0.1/24'], up: true }],
    veths: [veth(1), veth(2)],
  };
}
type VethEndInput = NonNullable<TopologyInput['veths']>[number]['ends'][number];
