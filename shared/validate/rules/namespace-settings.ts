/** Rules about per-namespace settings: sysctl values, VRF tables, DNS. */
import type { SysctlKey, Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { isHostname, parseIp } from '../ip';

const U32 = 4294967295;
const SYSCTL_VALUES: Record<SysctlKey, { ok: (v: string) => boolean; says: string }> = {
  'net.ipv4.ip_forward': { ok: (v) => v === '0' || v === '1', says: '"0" or "1"' },
  'net.ipv6.conf.all.forwarding': { ok: (v) => v === '0' || v === '1', says: '"0" or "1"' },
  'net.ipv4.conf.all.rp_filter': { ok: (v) => v === '0' || v === '1' || v === '2', says: '"0" (off), "1" (strict) or "2" (loose)' },
  'net.ipv4.ping_group_range': {
    ok: (v) => {
      const m = /^(\d{1,10})\s+(\d{1,10})$/.exec(v);
      return !!m && Number(m[1]) <= Number(m[2]) && Number(m[2]) <= U32;
    },
    says: 'two group ids "LOW HIGH" with LOW <= HIGH (e.g. "0 2147483647")',
  },
};

/** The kernel's reserved routing tables: a VRF on one of them would hijack the namespace's own routing. */
const RESERVED_TABLES = new Map([
  [253, 'default'],
  [254, 'main'],
  [255, 'local'],
]);

export function namespaceSettingRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.namespaces.forEach((n, ni) => {
    for (const [key, value] of Object.entries(n.sysctls) as [SysctlKey, string][]) {
      const spec = SYSCTL_VALUES[key];
      if (spec && !spec.ok(value)) out.push(issue('sysctl-value', ['namespaces', ni, 'sysctls', key], `${key} = ${q(value)}: the value must be ${spec.says}`));
    }
    const tables = new Map<number, string>();
    n.vrfs.forEach((v, vi) => {
      const path = ['namespaces', ni, 'vrfs', vi, 'table'];
      const reserved = RESERVED_TABLES.get(v.table);
      if (reserved) out.push(issue('vrf-table-clash', path, `table ${v.table} is the kernel's ${reserved} table; a VRF needs a table of its own`));
      const other = tables.get(v.table);
      if (other !== undefined) out.push(issue('vrf-table-clash', path, `table ${v.table} is already used by VRF ${q(other)} in namespace ${q(n.name)}`));
      else tables.set(v.table, v.name);
    });
    n.dns?.nameservers.forEach((s, si) => {
      if (!parseIp(s)) out.push(issue('invalid-ip', ['namespaces', ni, 'dns', 'nameservers', si], `nameserver ${q(s)} is not an IPv4 or IPv6 address`));
    });
    n.dns?.search?.forEach((s, si) => {
      if (!isHostname(s))
        out.push(
          issue('dns-search-invalid', ['namespaces', ni, 'dns', 'search', si], `search domain ${q(s)} is not a domain name (it is written into resolv.conf)`),
        );
    });
  });
  return out;
}
