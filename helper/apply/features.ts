/**
 * Which optional kernel features a document needs, and whether this kernel has
 * them. Probed without touching the host: `unshare --net` gives the probe a
 * throwaway namespace of its own.
 */
import { existsSync } from 'node:fs';
import type { Topology } from '../../shared/model/schema';
import { fail } from './failure';
import type { KernelFeatures } from './context';
import { programPath, runProc } from './runner';

let cached: Promise<KernelFeatures> | undefined;

export function probeFeatures(): Promise<KernelFeatures> {
  cached ??= (async () => {
    const vrf = await runProc([programPath('unshare'), '--net', programPath('ip'), 'link', 'add', 'name', 'vrfprobe', 'type', 'vrf', 'table', '10']);
    const iptables = programPath('iptables');
    return { vrf: vrf.code === 0, iptables: iptables.startsWith('/') && existsSync(iptables) };
  })();
  return cached;
}

/**
 * Throws `missing-feature` like requireFeatures, probing only what `doc` uses: a
 * document without VRFs starts no probe process (every plan, apply and verify ran one).
 */
export async function requireFeaturesOf(doc: Topology, known?: KernelFeatures): Promise<void> {
  if (known) return requireFeatures(doc, known);
  const usesVrf = doc.namespaces.some((n) => n.vrfs.length > 0);
  const iptables = programPath('iptables');
  // vrf left unprobed is not consulted: requireFeatures asks only when the document has VRFs
  requireFeatures(doc, usesVrf ? await probeFeatures() : { vrf: false, iptables: iptables.startsWith('/') && existsSync(iptables) });
}

/** Throws `missing-feature` naming what the document uses and the kernel lacks. */
export function requireFeatures(doc: Topology, f: KernelFeatures): void {
  const vrfs = doc.namespaces.flatMap((n) => n.vrfs.map((v) => `${n.name}/${v.name}`));
  if (vrfs.length && !f.vrf) {
    fail('missing-feature', `this kernel has no VRF support (module vrf), which ${vrfs.join(', ')} need${vrfs.length === 1 ? 's' : ''}: nothing was changed`, {
      feature: 'vrf',
      objects: vrfs,
    });
  }
  const nat = doc.namespaces.filter((n) => n.nat.length).map((n) => n.name);
  if (nat.length && !f.iptables) {
    fail('missing-feature', `iptables is not installed, which the NAT rules of ${nat.join(', ')} need: nothing was changed`, {
      feature: 'iptables',
      namespaces: nat,
    });
  }
}
