import type { StepOp } from './step-op';

/**
 * A plan step: data, never a shell string. The app executes steps, the shell
 * exporter renders the same steps as a script, so both always agree.
 *
 * `op` (./step-op.ts) is what the step does; `namespace` and `argv` are what
 * shared/plan/render.ts makes of it (kept beside it: they are what runs, what the
 * journal and ownership records of earlier versions hold, and what people read).
 *
 * argv[0] is one of STEP_PROGRAMS. `ip` steps are run in `namespace` (`ip -n NS`
 * or, for `host`, plainly); `sysctl` and `iptables` run inside the namespace
 * (`ip netns exec NS …`); `write-file`/`remove-file` touch only
 * /etc/netns/NS/resolv.conf; `forwarder-start`/`forwarder-stop` are run by the
 * helper's forwarder runtime (argv: name, then the forwarder as JSON).
 * `netns-bind` and `netns-attach-container` (netns.attach of an external entry
 * by path or by container) are the shell exporter's only: apply attaches external
 * namespaces itself (helper/apply/externals.ts), so the helper refuses them.
 */
export const STEP_PROGRAMS = ['ip', 'sysctl', 'iptables', 'write-file', 'remove-file', 'forwarder-start', 'forwarder-stop'] as const;
export type StepProgram = (typeof STEP_PROGRAMS)[number];

export interface Command {
  /** namespace the command acts in (`host` = root namespace) */
  namespace: string;
  argv: string[];
  /** the operation; namespace and argv are rendered from it */
  op: StepOp;
}

export interface Step extends Command {
  /** Commands that exactly reverse this step, run in order. Empty = nothing to undo. */
  undo: Command[];
  /** Why this step is needed, for people: "veth0 is in the document but not on the host". */
  reason: string;
  /** Stable key of the object this step creates/changes/deletes (see ./ids.ts objectKey). */
  object: string;
  /** create | change | delete: what the step does to `object`. */
  action: 'create' | 'change' | 'delete';
  /** True when the step touches an object this product does not own. */
  unmanaged?: boolean;
  /**
   * Why the step reaches beyond the document's namespaces into the host (its
   * routes or NAT, a forwarder open to the network or to the host's services):
   * apply refuses it unless host changes are allowed (shared/plan/host-exposure.ts).
   */
  touchesHost?: string;
  /** A command that succeeds when the step's effect is already there (for idempotent scripts). */
  exists?: Command;
}
