/**
 * Rules about a veth pair as a whole: its two ends live in different namespaces,
 * so the per-namespace duplicate check never sees them together; the same address
 * on both ends makes each side answer for the other and nothing crosses the link.
 */
import type { Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { parseCidr } from '../ip';

export function vethRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.veths.forEach((v, vi) => {
    const [a, b] = v.ends;
    // one set of end A's addresses, so a hostile veth with thousands of addresses costs n, not n²
    const onA = new Set(
      a.addresses.flatMap((o) => {
        const ca = parseCidr(o);
        return ca ? [`${ca.addr.kind()}:${ca.addr.toNormalizedString()}`] : [];
      }),
    );
    b.addresses.forEach((text, ai) => {
      const cb = parseCidr(text);
      if (!cb) return; // reported by the address rules
      if (onA.has(`${cb.addr.kind()}:${cb.addr.toNormalizedString()}`)) {
        out.push(
          issue(
            'veth-same-address',
            ['veths', vi, 'ends', 1, 'addresses', ai],
            `address ${cb.addr.toString()} is on both ends of this veth (${q(`${a.namespace}/${a.name}`)} and ${q(`${b.namespace}/${b.name}`)}): each side would answer for the other; give the ends different addresses of one subnet`,
          ),
        );
      }
    });
  });
  return out;
}
