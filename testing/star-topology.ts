/**
 * The star used by bench:apply: N namespaces on one host bridge, each with lo up,
 * one veth to the bridge, an address and a default route (8 commands each).
 * As a topology document (what our apply and the exported script build) and as
 * the plain one-`ip`-per-command shell script (the baseline).
 */
import { API_VERSION, KIND, type TopologyInput } from '../shared/model/schema';
import type { Step } from '../shared/model/step';
import { waves } from '../helper/apply/schedule';

export function starName(prefix: string, i: number): string {
  return `${prefix}s${i}`;
}

function addr(i: number): string {
  // 10.0.0.1 is the bridge; namespaces from 10.0.0.2 up, /16
  const n = i + 2;
  return `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}/16`;
}

export function starDocument(prefix: string, n: number): TopologyInput {
  const namespaces: NonNullable<TopologyInput['namespaces']> = [{ name: 'host' }];
  const veths: NonNullable<TopologyInput['veths']> = [];
  for (let i = 0; i < n; i++) {
    namespaces.push({ name: starName(prefix, i), routes: [{ to: 'default', via: '10.0.0.1' }] });
    veths.push({
      ends: [
        { namespace: starName(prefix, i), name: 'eth0', addresses: [addr(i)] },
        { namespace: 'host', name: `v${i}`, master: 'br0' },
      ],
    });
  }
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name: `star-${n}` },
    namespaces,
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.0.0.1/16'] }],
    veths,
  };
}

/** The baseline: one `ip` process per command, as a person would write it. */
export function starShellScript(prefix: string, n: number): { up: string; down: string } {
  const up = ['set -e', 'ip link add name br0 type bridge', 'ip address add 10.0.0.1/16 dev br0', 'ip link set dev br0 up'];
  const down = ['set -e'];
  for (let i = 0; i < n; i++) {
    const ns = starName(prefix, i);
    up.push(
      `ip netns add ${ns}`,
      `ip link add name v${i} type veth peer name eth0 netns ${ns}`,
      `ip link set dev v${i} master br0`,
      `ip link set dev v${i} up`,
      `ip -n ${ns} link set dev lo up`,
      `ip -n ${ns} address add ${addr(i)} dev eth0`,
      `ip -n ${ns} link set dev eth0 up`,
      `ip -n ${ns} route add default via 10.0.0.1`,
    );
    // deleting the namespace takes the veth pair along (deleting each veth first costs ~30 ms apiece)
    down.push(`ip netns del ${ns}`);
  }
  down.push('ip link del dev br0');
  return { up: up.join('\n') + '\n', down: down.join('\n') + '\n' };
}

/**
 * Steps as a plain script: the waves of helper/apply/schedule.ts, each namespace's
 * lines as one `ip [-n NS] -batch -` heredoc, run one after another (what an
 * exporter that batches per namespace produces, without side-by-side runs).
 */
export function batchScript(steps: Step[]): string {
  const items = steps.map((s, step) => ({ ...s, step }));
  const out = ['set -e'];
  for (const wave of waves(items, true)) {
    for (const lane of wave) {
      for (const unit of lane) {
        if (unit.kind !== 'ip-batch') throw new Error('batchScript handles ip steps only');
        out.push(
          `ip ${unit.namespace === 'host' ? '' : `-n ${unit.namespace} `}-batch - <<'EOF'`,
          ...unit.items.map((it) => it.argv.slice(1).join(' ')),
          'EOF',
        );
      }
    }
  }
  return out.join('\n') + '\n';
}
