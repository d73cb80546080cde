/** Rules: every name the document defines is one the kernel accepts and that is safe to pass around. */
import type { Topology } from '../../model/schema';
import { issue, type ValidationIssue } from '../issue';
import { checkForwarderName, checkInterfaceName, checkNamespaceName } from '../names';
import { checkTopologyName } from '../../model/topology-name';
import { hasControlChars, hasControlCharsButTabNewline } from '../control-chars';

export function nameRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const topo = t.name === undefined ? null : checkTopologyName(t.name);
  if (topo) out.push(issue('topology-name-invalid', ['name'], topo));
  const ifname = (name: string, path: (string | number)[]) => {
    const p = checkInterfaceName(name);
    if (p) out.push(issue(p.code, path, p.message));
  };
  t.namespaces.forEach((n, ni) => {
    const p = checkNamespaceName(n.name);
    if (p) out.push(issue(p.code, ['namespaces', ni, 'name'], p.message));
    n.vrfs.forEach((v, vi) => ifname(v.name, ['namespaces', ni, 'vrfs', vi, 'name']));
  });
  t.bridges.forEach((b, bi) => ifname(b.name, ['bridges', bi, 'name']));
  t.veths.forEach((v, vi) => v.ends.forEach((e, ei) => ifname(e.name, ['veths', vi, 'ends', ei, 'name'])));
  t.forwarders.forEach((f, fi) => {
    const p = checkForwarderName(f.name);
    if (p) out.push(issue(p.code, ['forwarders', fi, 'name'], p.message));
  });
  return out;
}

/** Free text that ends up in comments of exported scripts: no control characters (a newline would end the comment). */
export function textRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  if (t.metadata.name !== undefined && hasControlChars(t.metadata.name)) {
    out.push(
      issue(
        'metadata-control-chars',
        ['metadata', 'name'],
        `the topology name ${JSON.stringify(t.metadata.name)} contains a newline or control character; it is written into exported files`,
      ),
    );
  }
  if (t.metadata.description !== undefined && hasControlCharsButTabNewline(t.metadata.description)) {
    out.push(issue('metadata-control-chars', ['metadata', 'description'], 'the description contains control characters other than newline and tab'));
  }
  return out;
}
