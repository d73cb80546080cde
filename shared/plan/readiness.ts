/**
 * What "usable" means after an apply, decided from the document alone: which
 * links must get carrier, which bridge ports must forward, which IPv6 addresses
 * must leave the tentative state, which forwarders must accept connections.
 * The helper (helper/apply/ready.ts) then waits for exactly these, bounded.
 *
 * Only objects the apply touched (`touched`: the step objects that ran) are
 * waited for: a re-apply that changed one route does not wait for the rest.
 * Objects the document itself keeps from working (a veth end up whose peer it
 * keeps down, a port of a bridge it keeps down) are not waited for: they are
 * listed in `heldDown` with the reason, so a person sees why at once.
 *
 * Pure: no node:*.
 */
import { objectKey } from '../model/ids';
import type { Topology } from '../model/schema';
import { fromTopology, isV6, type LinkState } from './state';

export interface ExpectedLink {
  key: string;
  ns: string;
  name: string;
  kind: LinkState['kind'];
}
export interface ExpectedPort {
  key: string;
  ns: string;
  name: string;
  bridge: string;
}
export interface ExpectedAddress {
  key: string;
  ns: string;
  dev: string;
  cidr: string;
}
export interface ExpectedForwarder {
  key: string;
  name: string;
}

export interface HeldDown {
  /** object key (`link:ns1/veth0`) */
  object: string;
  reason: string;
}

/** What an apply's wait for readiness found (helper/apply/ready.ts), as apply answers it. */
export interface NotReady {
  /** object key (`link:ns1/veth0`, `addr:ns1/veth0/fd00::1/64`, `forwarder:web`) */
  object: string;
  /** what it still lacks, for people: `no carrier (operstate DOWN)`, `IPv6 address still tentative` */
  reason: string;
}

export interface Readiness {
  /** everything waited for became usable in time */
  ready: boolean;
  /** from the start of the wait until all were usable (or the deadline) */
  waitedMs: number;
  /** read rounds it took (one batched read each) */
  rounds: number;
  /** how many objects were waited for */
  checked: number;
  notReady: NotReady[];
  /** what the document itself keeps from working (not waited for) */
  heldDown: HeldDown[];
}

export interface ReadinessExpectation {
  /** up in the document, and whatever gives them carrier is up too: operstate UP expected */
  links: ExpectedLink[];
  /** ports of a bridge that is up: STP state `forwarding` expected */
  ports: ExpectedPort[];
  /** IPv6 addresses on links expected to have carrier: not tentative expected */
  addresses: ExpectedAddress[];
  forwarders: ExpectedForwarder[];
  heldDown: HeldDown[];
}

export function isEmptyExpectation(e: ReadinessExpectation): boolean {
  return !e.links.length && !e.ports.length && !e.addresses.length && !e.forwarders.length;
}

const at = (ns: string, name: string) => `${ns}/${name}`;

export function readinessExpectation(doc: Topology, touched: ReadonlySet<string>): ReadinessExpectation {
  const s = fromTopology(doc);
  const link = (ns: string, name: string) => s.links.get(objectKey.link(ns, name));
  const out: ReadinessExpectation = { links: [], ports: [], addresses: [], forwarders: [], heldDown: [] };

  /** Why an up link cannot get carrier by the document, or undefined when it can. */
  const noCarrier = (l: LinkState): string | undefined => {
    if (l.kind === 'veth') {
      const p = l.peer ? link(l.peer.ns, l.peer.name) : undefined;
      if (p && !p.up) return `no carrier: its peer ${at(p.ns, p.name)} is down in the document`;
      return undefined;
    }
    if (l.kind === 'bridge') {
      const ports = [...s.links.values()].filter((p) => p.ns === l.ns && p.master === l.name);
      if (!ports.some((p) => p.up && noCarrier(p) === undefined)) {
        return ports.length ? 'no carrier: none of its ports can be up by the document' : 'no carrier: it has no ports';
      }
    }
    return undefined;
  };
  const carrierExpected = new Set<string>();
  const touchedLink = (l: LinkState) =>
    touched.has(objectKey.link(l.ns, l.name)) || (l.peer !== undefined && touched.has(objectKey.link(l.peer.ns, l.peer.name)));

  for (const [key, l] of s.links) {
    if (!l.up) continue; // down as the document says: nothing to wait for
    const why = noCarrier(l);
    if (why === undefined) carrierExpected.add(key);
    const master = l.master ? link(l.ns, l.master) : undefined;
    const isPort = master?.kind === 'bridge';
    if (!touchedLink(l) && !(isPort && touched.has(objectKey.link(l.ns, master.name)))) continue;
    if (why !== undefined) out.heldDown.push({ object: key, reason: why });
    else out.links.push({ key, ns: l.ns, name: l.name, kind: l.kind });
    if (isPort) {
      if (!master.up) out.heldDown.push({ object: key, reason: `does not forward: its bridge ${at(master.ns, master.name)} is down in the document` });
      else if (why === undefined) out.ports.push({ key, ns: l.ns, name: l.name, bridge: master.name });
    }
  }
  for (const [key, a] of s.addresses) {
    if (!isV6(a.cidr) || !touched.has(key)) continue;
    const l = link(a.ns, a.dev);
    if (!l?.up) continue;
    if (carrierExpected.has(objectKey.link(a.ns, a.dev))) out.addresses.push({ key, ns: a.ns, dev: a.dev, cidr: a.cidr });
    else if (!a.nodad)
      out.heldDown.push({ object: key, reason: `stays tentative: ${at(a.ns, a.dev)} has no carrier, so duplicate address detection cannot run` });
  }
  for (const [key, f] of s.forwarders) if (touched.has(key)) out.forwarders.push({ key, name: f.name });
  return out;
}
