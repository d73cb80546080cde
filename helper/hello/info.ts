/** What `hello` answers: who the helper is and what this host can do (features probed once, remembered across starts: ./probe-cache.ts). No zod: the helper's first hello is answered before the schemas load (../main.ts). */
import { PROTOCOL_VERSION, type HelloResult } from '../../shared/protocol/wire';
import { kernelFeatures } from './features';
import { iproute2Version, kernelRelease } from './versions';
import { rememberedProbes } from './probe-cache';

export async function helloInfo(): Promise<HelloResult> {
  const { iproute2, features } = await rememberedProbes(
    async () => {
      const [iproute2, features] = await Promise.all([iproute2Version(), kernelFeatures()]);
      return { iproute2, features };
      // every kernel we run on has veth and every host has iproute2: without them a probe failed (timed out), so probe again next time
    },
    (p) => p.features.veth && p.iproute2 !== 'unknown',
  );
  const uid = process.getuid?.() ?? -1;
  return { protocol: PROTOCOL_VERSION, iproute2, kernel: kernelRelease(), features, isRoot: uid === 0, uid, pid: process.pid };
}
