/**
 * The smallest traffic rig for link tools (capture, terminal): namespaces `a`
 * and `b` of a sandbox joined by veth a1–b1, 10.77.0.1/24 and 10.77.0.2/24,
 * settled (carrier up) before it is handed back. Traffic stays between them.
 */
import type { Sandbox } from './sandbox';
import { waitSettled } from './settle';

export const PAIR = { a: '10.77.0.1', b: '10.77.0.2' } as const;

export async function buildPair(sb: Sandbox): Promise<void> {
  const r = await sb.bash(`
for n in a b; do ip netns add \${P}$n; ip -n \${P}$n link set lo up; done
ip -n \${P}a link add a1 type veth peer name b1 netns \${P}b
ip -n \${P}a addr add ${PAIR.a}/24 dev a1
ip -n \${P}b addr add ${PAIR.b}/24 dev b1
ip -n \${P}a link set a1 up
ip -n \${P}b link set b1 up
`);
  if (r.code !== 0) throw new Error(`building the pair failed: ${r.stderr}`);
  await waitSettled(sb);
}
