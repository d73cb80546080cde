/** Rules about interfaces: unique per namespace, masters that exist and are a bridge or a VRF. */
import type { Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import { formatPath } from '../../yaml/errors';
import type { TopologyIndex } from '../topology-index';

export function interfaceRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, string>();
  for (const f of ix.interfaces) {
    const key = `${f.namespace}\0${f.name}`;
    if (f.name === 'lo') {
      out.push(issue('duplicate-interface', [...f.path, 'name'], `interface name "lo" is taken: every namespace already has its loopback`));
      continue;
    }
    const first = seen.get(key);
    if (first !== undefined)
      out.push(issue('duplicate-interface', [...f.path, 'name'], `namespace ${q(f.namespace)} already has an interface ${q(f.name)} (at ${first})`));
    else seen.set(key, formatPath(f.path));
  }
  for (const f of ix.interfaces) {
    if (f.master === undefined) continue;
    const path = [...f.path, 'master'];
    const m = ix.byNamespace.get(f.namespace)?.get(f.master);
    if (!m) {
      out.push(issue('unknown-master', path, `master ${q(f.master)} is not a bridge or VRF in namespace ${q(f.namespace)}`));
    } else if (m === f) {
      out.push(issue('master-kind', path, `interface ${q(f.name)} cannot be its own master`));
    } else if (f.kind === 'bridge' && m.kind !== 'vrf') {
      out.push(issue('master-kind', path, `a bridge's master must be a VRF; ${q(f.master)} is a ${m.kind === 'bridge' ? 'bridge' : 'veth end'}`));
    } else if (f.kind === 'veth' && m.kind === 'veth') {
      out.push(issue('master-kind', path, `master ${q(f.master)} is a veth end; a master must be a bridge or a VRF`));
    }
  }
  return out;
}
