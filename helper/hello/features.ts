/**
 * Which optional kernel features exist here, found by trying them in a throwaway
 * network namespace (`unshare -n`: it vanishes with the process, nothing on the
 * host changes). Three processes, once per helper (cached).
 */
import { KERNEL_FEATURES, type KernelFeature } from '../../shared/protocol/wire';
import { runProgram } from '../proc';
import { programPath } from '../programs';

/** One `ip` batch line per feature, in this order; `-force` reports each failing line. */
const LINK_PROBES: [KernelFeature, string][] = [
  ['veth', 'link add name t0 type veth peer name t1'],
  ['bridge', 'link add name b0 type bridge'],
  ['vrf', 'link add name vr0 type vrf table 10'],
  ['vxlan', 'link add name vx0 type vxlan id 42 dstport 4789'],
  ['tap', 'tuntap add dev tp0 mode tap'],
  ['dummy', 'link add name d0 type dummy'],
  ['macvlan', 'link add name mv0 link t0 type macvlan mode bridge'],
  ['vlan', 'link add link t0 name t0.10 type vlan id 10'],
];

let cached: Promise<Record<KernelFeature, boolean>> | undefined;

export function kernelFeatures(wrap?: string[]): Promise<Record<KernelFeature, boolean>> {
  return (cached ??= probe(wrap));
}

async function probe(wrap?: string[]): Promise<Record<KernelFeature, boolean>> {
  const out = Object.fromEntries(KERNEL_FEATURES.map((f) => [f, false])) as Record<KernelFeature, boolean>;
  const [links, netem, ipt, nft] = await Promise.all([
    runProgram(['unshare', '-n', programPath('ip'), '-force', '-batch', '-'], {
      input: LINK_PROBES.map(([, l]) => l).join('\n') + '\n',
      wrap,
      timeoutMs: 5000,
    }),
    runProgram(['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], { wrap, timeoutMs: 5000 }),
    runProgram(['iptables', '-V'], { wrap, timeoutMs: 5000 }),
    runProgram(['nft', '--version'], { wrap, timeoutMs: 5000 }),
  ]);
  if (links.code !== -1 && !/unshare: /.test(links.stderr)) {
    const failed = new Set([...links.stderr.matchAll(/Command failed -:(\d+)/g)].map((m) => Number(m[1])));
    LINK_PROBES.forEach(([f], i) => (out[f] = !failed.has(i + 1)));
  }
  out.netem = netem.code === 0;
  out.iptables = ipt.code === 0;
  out.nftables = nft.code === 0 || /nf_tables/.test(ipt.stdout);
  return out;
}
