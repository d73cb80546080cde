/** Rules about namespaces: unique, `host` is the root namespace only, references name declared ones. */
import { HOST_NS, type Topology } from '../../model/schema';
import { issue, q, type ValidationIssue } from '../issue';
import type { TopologyIndex } from '../topology-index';

export function namespaceRules(t: Topology, ix: TopologyIndex): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  t.namespaces.forEach((n, ni) => {
    const first = seen.get(n.name);
    if (first !== undefined)
      out.push(issue('duplicate-namespace', ['namespaces', ni, 'name'], `namespace ${q(n.name)} is declared twice (first at namespaces[${first}])`));
    else seen.set(n.name, ni);
    if (n.name === HOST_NS) {
      // `host` is the machine's own namespace: the product never rewrites its resolver or takes its loopback down.
      if (n.dns)
        out.push(
          issue(
            'host-dns',
            ['namespaces', ni, 'dns'],
            'dns cannot be set on `host`: /etc/netns/NAME/resolv.conf only applies to named namespaces, and the host resolver is not ours to change',
          ),
        );
      if (n.loopback === 'down')
        out.push(issue('host-loopback-down', ['namespaces', ni, 'loopback'], 'the loopback of `host` (the root namespace) cannot be taken down'));
    } else if (n.name.toLowerCase() === HOST_NS) {
      out.push(
        issue(
          'host-reserved',
          ['namespaces', ni, 'name'],
          `namespace name ${q(n.name)} is too easily mistaken for the root namespace, which is spelled \`${HOST_NS}\``,
        ),
      );
    }
  });
  const ref = (ns: string, path: (string | number)[], what: string) => {
    if (!ix.namespaces.has(ns)) {
      out.push(
        issue('unknown-namespace', path, `${what} refers to namespace ${q(ns)}, which is not declared in \`namespaces\` (only \`${HOST_NS}\` is implicit)`),
      );
    }
  };
  t.veths.forEach((v, vi) => v.ends.forEach((e, ei) => ref(e.namespace, ['veths', vi, 'ends', ei, 'namespace'], 'this veth end')));
  t.bridges.forEach((b, bi) => ref(b.namespace, ['bridges', bi, 'namespace'], 'this bridge'));
  t.forwarders.forEach((f, fi) => {
    ref(f.listen.namespace, ['forwarders', fi, 'listen', 'namespace'], 'this forwarder listener');
    ref(f.target.namespace, ['forwarders', fi, 'target', 'namespace'], 'this forwarder target');
  });
  return out;
}
