/**
 * Rules about NAT rules (iptables -t nat): the fields each action needs and the
 * ones iptables refuses in its chain (-i in POSTROUTING, -o in PREROUTING),
 * addresses that parse, interfaces that exist.
 */
import { HOST_NS, type NatRule, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { parseCidr, parseIp } from '../ip';
import type { TopologyIndex } from '../topology-index';

/** `1.2.3.4`, `1.2.3.4:80`, `[2001:db8::1]:80`, `2001:db8::1`. */
export function parseNatTarget(s: string): boolean {
  const m6 = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(s);
  if (m6) return parseIp(m6[1])?.kind() === 'ipv6' && (m6[2] === undefined || (Number(m6[2]) >= 1 && Number(m6[2]) <= 65535));
  if (parseIp(s)) return true;
  const m4 = /^([0-9.]+):(\d{1,5})$/.exec(s);
  return !!m4 && parseIp(m4[1])?.kind() === 'ipv4' && Number(m4[2]) >= 1 && Number(m4[2]) <= 65535;
}

function actionProblems(r: NatRule): { field: keyof NatRule | undefined; message: string }[] {
  const out: { field: keyof NatRule | undefined; message: string }[] = [];
  if (r.action === 'masquerade' && r.toAddress !== undefined)
    out.push({ field: 'toAddress', message: 'masquerade takes the address of the outgoing interface: drop toAddress (or use snat)' });
  if (r.action !== 'masquerade' && r.toAddress === undefined) out.push({ field: undefined, message: `${r.action} needs toAddress` });
  if (r.action !== 'dnat' && r.inInterface !== undefined)
    out.push({ field: 'inInterface', message: `${r.action} runs in POSTROUTING, where iptables refuses -i (inInterface); use outInterface` });
  if (r.action === 'dnat' && r.outInterface !== undefined)
    out.push({ field: 'outInterface', message: 'dnat runs in PREROUTING, where iptables refuses -o (outInterface); use inInterface' });
  if (r.port !== undefined && r.protocol === undefined) out.push({ field: 'port', message: 'a port needs a protocol (tcp or udp)' });
  return out;
}

export function natRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.namespaces.forEach((n, ni) => {
    const ifaces = ix.byNamespace.get(n.name);
    n.nat.forEach((r, ri) => {
      const base = ['namespaces', ni, 'nat', ri];
      for (const p of actionProblems(r)) out.push(issue('nat-rule', p.field ? [...base, p.field] : base, p.message));
      for (const field of ['source', 'destination'] as const) {
        const v = r[field];
        if (v !== undefined && !parseCidr(v) && !parseIp(v))
          out.push(issue('invalid-prefix', [...base, field], `${field} ${q(v)} is not an address or prefix such as 192.168.1.0/24`));
      }
      if (r.toAddress !== undefined && !parseNatTarget(r.toAddress)) {
        out.push(issue('invalid-ip', [...base, 'toAddress'], `toAddress ${q(r.toAddress)} is not ADDRESS or ADDRESS:PORT`));
      }
      for (const field of ['inInterface', 'outInterface'] as const) {
        const v = r[field];
        // iptables' `veth+` matches every name with that prefix.
        if (v === undefined || (v.endsWith('+') && v.length > 1) || ifaces?.has(v) || v === 'lo') continue;
        out.push(
          issue(
            'unknown-interface',
            [...base, field],
            `${field} ${q(v)} is not an interface of namespace ${q(n.name)}`,
            n.name === HOST_NS ? 'warning' : 'error',
          ),
        );
      }
    });
  });
  return out;
}
