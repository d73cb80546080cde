/**
 * Which plan steps reach out of the document's own namespaces into the host
 * (issue 15): "host exposure is a permission, like unmanaged objects". A step
 * touches the host when it
 *   - adds or changes a route, a policy rule or a NAT rule of the `host` namespace
 *     (the machine's own routing: a document could redirect or masquerade its traffic);
 *   - starts a forwarder listening in `host` on a wildcard or non-loopback
 *     address (reachable from the network) or on a port below 1024 (a privileged
 *     port: taking one shadows a system service);
 *   - starts a forwarder whose target lies outside the namespaces of this host
 *     as far as the document tells (a host name, or an address that is neither
 *     loopback nor on an interface of the document: another machine, the
 *     internet; the host's own unlisted addresses are marked too, to be safe).
 * Apply refuses such steps unless the request allows host changes explicitly
 * (`--allow-host`, the plan dialog's checkbox, `allowHost` in the helper request).
 * Undoing what we made (delete steps) never needs it. Pure: steps and the document in.
 */
import { HOST_NS, type Topology } from '../model/schema';
import type { Step } from '../model/step';
import { ipKey, parseCidr, parseIp } from '../validate/ip';

/** ports below this are privileged (CAP_NET_BIND_SERVICE) */
const PRIVILEGED_PORTS = 1024;

/** Every address an interface of the document has, by namespace-independent key. */
function documentAddresses(doc: Topology): Set<string> {
  const out = new Set<string>();
  const add = (a: string) => {
    const c = parseCidr(a);
    if (c) out.add(ipKey(c.addr));
  };
  for (const b of doc.bridges) b.addresses.forEach(add);
  for (const v of doc.veths) for (const e of v.ends) e.addresses.forEach(add);
  return out;
}

/** Why `step` touches the host, for people; undefined when it stays inside the document's namespaces. */
export function hostExposureOf(step: Step, addresses: Set<string>): string | undefined {
  if (step.action === 'delete') return undefined;
  const op = step.op;
  if (step.namespace === HOST_NS && (op.op === 'route.add' || op.op === 'route.replace')) return "changes the host's routing table";
  // a rule replaced is deleted (a `change` step) and added again: both change the host's routing
  if (step.namespace === HOST_NS && (op.op === 'rule.add' || op.op === 'rule.del')) return "changes the host's policy rules";
  // the filter-table step is a bridge's own FORWARD accept (`acceptForward`, ../../helper/apply/host-firewall.ts), not NAT
  if (step.namespace === HOST_NS && op.op === 'nat.append') return "changes the host's NAT rules";
  if (op.op !== 'forwarder.start') return undefined;
  const f = op.forwarder;
  const why: string[] = [];
  if (f.listen.namespace === HOST_NS) {
    const ip = parseIp(f.listen.address);
    if (!ip || ip.range() !== 'loopback')
      why.push(
        `listens on the host at ${f.listen.address}:${f.listen.port}${ip?.range() === 'unspecified' ? ' (every address: reachable from the network)' : ''}`,
      );
    if (f.listen.port < PRIVILEGED_PORTS) why.push(`takes the privileged port ${f.listen.port}`);
  }
  const target = parseIp(f.target.address);
  if (!target || (target.range() !== 'loopback' && !addresses.has(ipKey(target)))) {
    why.push(`relays to ${f.target.address}:${f.target.port}, outside the document's namespaces`);
  }
  return why.length ? why.join('; ') : undefined;
}

/** The steps with `touchesHost` set on those that touch the host. */
export function markHostExposure(steps: Step[], doc: Topology): Step[] {
  let addresses: Set<string> | undefined;
  return steps.map((s) => {
    if (s.action === 'delete') return s;
    const why = hostExposureOf(s, (addresses ??= documentAddresses(doc)));
    return why ? { ...s, touchesHost: why } : s;
  });
}
