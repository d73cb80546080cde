/** An external namespace (shared/model/external.ts) is not the document's: it may hold veth ends, nothing it would have to set inside it. */
import { HOST_NS, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';

export function externalRules(t: Topology): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  t.namespaces.forEach((n, ni) => {
    if (!n.external) return;
    const path = ['namespaces', ni, 'external'];
    if (n.name === HOST_NS) out.push(issue('external-settings', path, '`host` is the root namespace: it cannot point elsewhere'));
    const set = [
      n.routes.length && 'routes',
      n.nat.length && 'nat',
      n.vrfs.length && 'vrfs',
      n.dns && 'dns',
      Object.keys(n.sysctls).length && 'sysctls',
      n.loopback === 'down' && 'loopback: down',
      n.nodad && 'nodad',
    ].filter(Boolean);
    if (set.length)
      out.push(
        issue(
          'external-settings',
          path,
          `namespace ${q(n.name)} is external (not this document's): apply attaches veths into it and changes nothing else, so it cannot set ${set.join(', ')}`,
        ),
      );
  });
  for (const b of t.bridges) {
    const ni = t.namespaces.findIndex((n) => n.name === b.namespace && n.external);
    if (ni >= 0)
      out.push(
        issue(
          'external-settings',
          ['namespaces', ni, 'external'],
          `bridge ${q(b.name)} is in external namespace ${q(b.namespace)}: a document only attaches veths into namespaces it does not own`,
        ),
      );
  }
  return out;
}
