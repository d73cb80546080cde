/**
 * What a plan step does, as data: one variant per kernel operation the planner
 * emits. Everything that decides about a step (the simulated kernel, the
 * scheduler, the ownership record, host exposure, the shell exporter) reads
 * this; shared/plan/render.ts is the one place that turns it into the argv that
 * runs and the words people read.
 *
 * Names and addresses are not checked here (the document's validator did, and
 * helper/apply/validate-step.ts checks the rendered argv before anything runs).
 */
import { z } from 'zod';
import { ExternalRef } from './external';
import { Dns, Forwarder, NatRule, PolicyRule, Route } from './schema';

const name = z.string();
const ns = z.string();

/** Checks (`exists`): succeed when the effect is there; `not` succeeds when its check fails ("already gone"). */
export const CheckOp = z.discriminatedUnion('op', [
  /** ip link show dev NAME [up] */
  z.strictObject({ op: z.literal('link.show'), ns, name, up: z.literal(true).optional() }),
  /** ip addr show dev DEV to ADDR/32|128 */
  z.strictObject({ op: z.literal('addr.show'), ns, dev: name, cidr: z.string() }),
  /** ip route show … exact TO … */
  z.strictObject({ op: z.literal('route.show'), ns, route: Route }),
  /** ip [-6] rule show SELECTORS [table T] */
  z.strictObject({ op: z.literal('rule.show'), ns, rule: PolicyRule }),
  /** iptables -t nat -C … */
  z.strictObject({ op: z.literal('nat.check'), ns, rule: NatRule }),
  /** iptables -t filter -C FORWARD … (a bridge's accept rule) */
  z.strictObject({ op: z.literal('accept.check'), ns, bridge: name }),
]);
export type CheckOp = z.output<typeof CheckOp>;

export const StepOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('netns.add'), name }),
  z.strictObject({ op: z.literal('netns.del'), name }),
  /**
   * an existing namespace (external entry: a process's, a bind mount's or a container's) named `name` under
   * /run/netns: `ip netns attach NAME PID`, a bind mount of its file, or the PID a container runtime reports.
   * Never creates a namespace; `goneOk`: one that no longer exists is skipped (teardown)
   */
  z.strictObject({ op: z.literal('netns.attach'), name, ref: ExternalRef, goneOk: z.literal(true).optional() }),
  /** takes an attached name away again (`ip netns del NAME`): the namespace lives on with its holders */
  z.strictObject({ op: z.literal('netns.detach'), name }),
  /** a veth pair created in `ns`, its peer landing directly in `peer.ns` */
  z.strictObject({ op: z.literal('link.veth'), ns, name, peer: z.strictObject({ ns, name }) }),
  z.strictObject({ op: z.literal('link.bridge'), ns, name }),
  z.strictObject({ op: z.literal('link.vrf'), ns, name, table: z.number().int() }),
  /** a veth end takes its peer with it */
  z.strictObject({ op: z.literal('link.del'), ns, name }),
  z.strictObject({ op: z.literal('link.state'), ns, name, up: z.boolean() }),
  z.strictObject({ op: z.literal('link.mtu'), ns, name, mtu: z.number().int() }),
  /** no master: `nomaster` */
  z.strictObject({ op: z.literal('link.master'), ns, name, master: name.optional() }),
  z.strictObject({ op: z.literal('addr.add'), ns, dev: name, cidr: z.string(), nodad: z.literal(true).optional() }),
  z.strictObject({ op: z.literal('addr.del'), ns, dev: name, cidr: z.string() }),
  z.strictObject({ op: z.literal('route.add'), ns, route: Route }),
  z.strictObject({ op: z.literal('route.del'), ns, route: Route }),
  /** same destination, table and metric: one route, new details */
  z.strictObject({ op: z.literal('route.replace'), ns, route: Route }),
  /** a policy rule (canonical: family explicit, table a number); the kernel keys it by family and priority */
  z.strictObject({ op: z.literal('rule.add'), ns, rule: PolicyRule }),
  z.strictObject({ op: z.literal('rule.del'), ns, rule: PolicyRule }),
  z.strictObject({ op: z.literal('sysctl.set'), ns, key: z.string(), value: z.string() }),
  z.strictObject({ op: z.literal('nat.append'), ns, rule: NatRule }),
  z.strictObject({ op: z.literal('nat.delete'), ns, rule: NatRule }),
  z.strictObject({ op: z.literal('accept.insert'), ns, bridge: name }),
  z.strictObject({ op: z.literal('accept.delete'), ns, bridge: name }),
  /** /etc/netns/NS/resolv.conf (the directory is made when missing) */
  z.strictObject({ op: z.literal('dns.write'), ns, dns: Dns }),
  z.strictObject({ op: z.literal('dns.remove'), ns }),
  /** run by the helper's forwarder runtime, listening in `forwarder.listen.namespace` */
  z.strictObject({ op: z.literal('forwarder.start'), forwarder: Forwarder }),
  z.strictObject({ op: z.literal('forwarder.stop'), ns, name }),
  ...CheckOp.options,
  z.strictObject({ op: z.literal('not'), check: CheckOp }),
]);
export type StepOp = z.output<typeof StepOp>;
export type OpName = StepOp['op'];
/** The variant of StepOp named `K`. */
export type OpOf<K extends OpName> = Extract<StepOp, { op: K }>;
