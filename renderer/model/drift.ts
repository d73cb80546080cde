/**
 * Honest drift: for one object on both sides, the fields where the host differs
 * from what the DOCUMENT SPECIFIES, each with both values. What the document
 * leaves open is not drift, matching what Plan would do about it:
 *
 * - a sysctl the document does not set (ip_forward inherited from the host, say);
 * - routes, NAT rules and addresses the host has beyond the document's (the
 *   planner deletes those only when netns-studio created them);
 * - a bridge MTU the document does not give (the kernel picks it); a veth MTU it
 *   does not give is the default 1500, which Plan enforces;
 * - a route field the document leaves out (`dev` of a route via a gateway).
 *
 * Pure (renderer/model): no React, no store.
 */
import type { Bridge, Namespace, Route, VethEnd } from '../../shared/model/schema';
import { canonicalCidr, canonicalDns, canonicalNat, canonicalRoute, natRuleText, SYSCTL_DEFAULTS, DEFAULT_MTU } from '../../shared/plan/state';

export interface DriftField {
  /** what differs, as a person reads it: `loopback`, `route default`, `ns1/veth0 mtu` */
  field: string;
  /** the document's value, as text */
  doc: string;
  /** the host's value, as text (`(none)` when the host lacks it) */
  host: string;
}

const NONE = '(none)';
const onOff = (b: boolean) => (b ? 'up' : 'down');

function missing(field: string, want: string[], have: string[], out: DriftField[]): void {
  const h = new Set(have);
  const lacking = want.filter((w) => !h.has(w));
  if (lacking.length) out.push({ field, doc: lacking.join(', '), host: have.length ? have.join(', ') : NONE });
}

const routeText = (r: Route) =>
  [
    r.type && r.type !== 'unicast' ? r.type : '',
    r.to,
    r.via ? `via ${r.via}` : '',
    r.dev ? `dev ${r.dev}` : '',
    r.metric !== undefined ? `metric ${r.metric}` : '',
    r.table !== undefined ? `table ${r.table}` : '',
    r.src ? `src ${r.src}` : '',
  ]
    .filter(Boolean)
    .join(' ');

/** The fields of a route the document gives, compared with the host's route to the same place (same table and metric). */
function routeDrift(doc: Namespace, host: Namespace, out: DriftField[]): void {
  // tables by number on both sides: the document may name them, the host numbers them
  const hs = host.routes.map((r) => canonicalRoute(r, host.tables));
  for (const raw of doc.routes) {
    const d = canonicalRoute(raw, doc.tables);
    const same = hs.filter((h) => h.to === d.to && h.table === d.table && h.metric === d.metric);
    const match = same.find((h) => (Object.keys(d) as (keyof Route)[]).every((k) => JSON.stringify(h[k]) === JSON.stringify(d[k])));
    if (match) continue;
    out.push({ field: `route ${d.to}`, doc: routeText(d), host: same.length ? same.map(routeText).join('; ') : NONE });
  }
}

export function namespaceDrift(doc: Namespace, host: Namespace): DriftField[] {
  const out: DriftField[] = [];
  // an external namespace's loopback is as found (apply does not set it, ../../helper/apply/externals.ts)
  if (doc.loopback !== host.loopback && !doc.external) out.push({ field: 'loopback', doc: doc.loopback, host: host.loopback });
  for (const [k, v] of Object.entries(doc.sysctls) as [keyof typeof SYSCTL_DEFAULTS, string | undefined][]) {
    if (v === undefined) continue;
    const want = v.trim().replace(/\s+/g, ' ');
    const have = (host.sysctls[k] ?? SYSCTL_DEFAULTS[k]).trim().replace(/\s+/g, ' ');
    if (want !== have) out.push({ field: k, doc: want, host: have });
  }
  routeDrift(doc, host, out);
  missing(
    'NAT rules',
    doc.nat.map((r) => natRuleText(canonicalNat(r))),
    host.nat.map((r) => natRuleText(canonicalNat(r))),
    out,
  );
  if (doc.dns) {
    const d = canonicalDns(doc.dns);
    const h = host.dns ? canonicalDns(host.dns) : undefined;
    const text = (x: typeof d) => `${x.nameservers.join(' ')}${x.search?.length ? ` search ${x.search.join(' ')}` : ''}`;
    if (!h || text(d) !== text(h)) out.push({ field: 'DNS', doc: text(d), host: h ? text(h) : NONE });
  }
  for (const v of doc.vrfs) {
    const h = host.vrfs.find((x) => x.name === v.name);
    const text = (x: { table: number; up: boolean }) => `table ${x.table}, ${onOff(x.up)}`;
    if (!h || h.table !== v.table || h.up !== v.up) out.push({ field: `VRF ${v.name}`, doc: text(v), host: h ? text(h) : NONE });
  }
  return out;
}

/** Fields of one interface (a bridge or a veth end) that the document gives. */
function linkDrift(
  label: string,
  doc: { up: boolean; master?: string; mtu?: number; addresses: string[] },
  host: { up: boolean; master?: string; mtu?: number; addresses: string[] },
  defaultMtu: number | undefined,
  out: DriftField[],
): void {
  const p = label ? `${label} ` : '';
  if (doc.up !== host.up) out.push({ field: `${p}state`, doc: onOff(doc.up), host: onOff(host.up) });
  if ((doc.master ?? '') !== (host.master ?? '')) out.push({ field: `${p}master`, doc: doc.master ?? NONE, host: host.master ?? NONE });
  const wantMtu = doc.mtu ?? defaultMtu;
  const haveMtu = host.mtu ?? DEFAULT_MTU;
  if (wantMtu !== undefined && wantMtu !== haveMtu) out.push({ field: `${p}mtu`, doc: String(wantMtu), host: String(haveMtu) });
  missing(`${p}addresses`, doc.addresses.map(canonicalCidr), host.addresses.map(canonicalCidr), out);
}

export function bridgeDrift(doc: Bridge, host: Bridge): DriftField[] {
  const out: DriftField[] = [];
  linkDrift('', doc, host, undefined, out);
  return out;
}

/** Both ends, matched by namespace and name (the veth was matched by its pair of ends). */
export function vethDrift(doc: [VethEnd, VethEnd], host: [VethEnd, VethEnd]): DriftField[] {
  const out: DriftField[] = [];
  for (const d of doc) {
    const h = host.find((e) => e.namespace === d.namespace && e.name === d.name);
    if (h) linkDrift(`${d.namespace}/${d.name}`, d, h, DEFAULT_MTU, out);
  }
  return out;
}
