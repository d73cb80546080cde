/**
 * Running forwarders as document entries, for discover: only those serving now
 * (a dead or failed one is left out, so a plan starts it again) and only those
 * whose both ends are in namespaces the document holds (or `host`).
 */
import { HOST_NS } from '../../shared/model/constants';
import type { Forwarder, Topology } from '../../shared/model/schema';
import { canonicalForwarder } from '../../shared/plan/state';
import { running, type ForwarderStatus } from './runtime';

/**
 * `rename` maps a namespace name as the kernel knows it to the document's name
 * (discover's stripPrefix), or undefined when the namespace is not in view.
 */
export function documentForwarders(
  list: ForwarderStatus[],
  namespaces: ReadonlySet<string>,
  rename: (ns: string) => string | undefined = (n) => n,
): Forwarder[] {
  const out: Forwarder[] = [];
  for (const f of running(list)) {
    const l = f.spec.listen.namespace === HOST_NS ? HOST_NS : rename(f.spec.listen.namespace);
    const t = f.spec.target.namespace === HOST_NS ? HOST_NS : rename(f.spec.target.namespace);
    const known = (n: string | undefined): n is string => n !== undefined && (n === HOST_NS || namespaces.has(n));
    if (!known(l) || !known(t)) continue;
    out.push(canonicalForwarder({ ...f.spec, listen: { ...f.spec.listen, namespace: l }, target: { ...f.spec.target, namespace: t } }));
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface ForwarderLister {
  list(): Promise<ForwarderStatus[]>;
}

/** The forwarders a discovered document holds, seen through discover's prefix options. */
export async function discoveredForwarders(
  doc: Topology,
  lister: ForwarderLister,
  opts: { onlyPrefix?: string; stripPrefix?: boolean } = {},
): Promise<Forwarder[]> {
  const p = opts.onlyPrefix;
  const rename = (n: string) => (p === undefined ? n : !n.startsWith(p) ? undefined : opts.stripPrefix && n.length > p.length ? n.slice(p.length) : n);
  return documentForwarders(await lister.list(), new Set(doc.namespaces.map((n) => n.name)), rename);
}

/** For apply's engine: the forwarders running now among the namespaces of an observed document (none without a runtime that lists). */
export async function observedForwarders(rt: Partial<ForwarderLister> | undefined, observed: Topology): Promise<Forwarder[]> {
  if (!rt?.list) return [];
  return documentForwarders(await rt.list(), new Set(observed.namespaces.map((n) => n.name)));
}
