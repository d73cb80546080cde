/**
 * plan(desired, observed) → the ordered steps that turn the observed host into
 * the desired one. Pure and deterministic: the same inputs give the same steps.
 *
 * Order (deletions first, in reverse build order, then the build):
 *   1. forwarders that go away or change are stopped;
 *   2. per namespace: resolv.conf, NAT rules, sysctls, policy rules, routes, addresses that go away
 *      (a policy rule in another form than the document's is deleted here and added in the build);
 *   3. links that go away (veth pairs, then bridges, then VRFs) in namespaces that stay;
 *   4. namespaces that go away (taking their links, veth peers, addresses, routes,
 *      sysctls and NAT rules with them: one step, whose undo rebuilds all of it);
 *   5. the build: namespaces, links (VRFs, bridges, veth pairs), then per namespace
 *      loopback, MTU, masters, addresses, links up, routes, policy rules, sysctls, NAT, resolv.conf;
 *      forwarders last.
 * Steps are grouped by namespace inside each phase, so consecutive steps in one
 * namespace can run as one `ip -batch`.
 *
 * Ownership: an observed object the document does not mention is deleted only
 * when `owned` says this product made it; otherwise it is left alone. Objects
 * the document names but that exist in another form (an interface of another
 * kind, a veth with another peer) are replaced, marked `unmanaged` when not owned.
 * The host's loopback is never taken down and the host namespace never deleted.
 *
 * Each step carries its undo (computed on the simulated kernel of ./simulate.ts,
 * so a deletion's undo rebuilds everything the kernel removed with it) and an
 * `exists` check for idempotent scripts: a command that succeeds when the step's
 * effect is already there. By convention an `ip … show` check succeeds only when
 * it prints something, and a check whose argv starts with `!` succeeds when the
 * rest fails (for deletions: "already gone").
 */
import { HOST_NS, type Topology } from '../model/schema';
import { objectKey } from '../model/ids';
import type { Command, Step } from '../model/step';
import * as cmd from './commands';
import { applyCommand, routeDevice } from './simulate';
import { diffRules, ruleText } from './rule-diff';
import { DEFAULT_MTU, SYSCTL_DEFAULTS, emptyState, fromTopology, sameJson, natRuleText, type LinkState, type State } from './state';

export type Ownership = ReadonlySet<string> | ((key: string) => boolean) | 'all';

export interface PlanOptions {
  /** which observed objects this product made (object keys); default: none */
  owned?: Ownership;
}

type Draft = Omit<Step, 'namespace' | 'argv' | 'op'> & { command: Command };

const ownedFn = (o: Ownership | undefined): ((key: string) => boolean) =>
  o === 'all' ? () => true : typeof o === 'function' ? o : o ? (k) => o.has(k) : () => false;

const linkKey = (l: { ns: string; name: string }) => objectKey.link(l.ns, l.name);
const where = (ns: string) => (ns === HOST_NS ? 'the host' : `namespace ${ns}`);
const at = (ns: string, name: string) => `${name} (${where(ns)})`;

export function plan(desired: Topology, observed: Topology, opts: PlanOptions = {}): Step[] {
  return planStates(fromTopology(desired), fromTopology(observed), opts);
}

/** The steps that build `doc` on a host that has none of it (what the shell exporter renders). */
export function buildPlan(doc: Topology): Step[] {
  return planStates(fromTopology(doc), emptyState(), {});
}

/** The steps that remove everything `doc` makes (host namespace and host loopback stay). */
export function destroyPlan(doc: Topology): Step[] {
  // same steps as "the document is now empty", told as what they undo
  return planStates(emptyState(), fromTopology(doc), { owned: 'all' }).map((s) => ({
    ...s,
    reason: s.reason.replace(/ is not (set by|in) the document/, ' was made by this topology'),
  }));
}

export function planStates(D: State, O: State, opts: PlanOptions = {}): Step[] {
  const owned = ownedFn(opts.owned);
  const ownedLink = (l: LinkState) => owned(linkKey(l)) || (l.peer !== undefined && owned(linkKey(l.peer)));
  const steps: Step[] = [];
  const cur = cloneForPlanning(O);

  const push = (d: Draft) => {
    const { command, ...rest } = d;
    steps.push({ namespace: command.namespace, argv: command.argv, op: command.op, ...rest });
    try {
      applyCommand(cur, command);
    } catch {
      // the model disagrees with an observed oddity; the kernel will have the last word
    }
  };
  /** A step whose undo is whatever the simulated kernel says it removed, rebuilt. */
  const pushDerived = (d: Omit<Draft, 'undo'>, scope: Set<string>) => {
    const before = scoped(cur, scope);
    push({ ...d, undo: [] });
    const after = scoped(cur, scope);
    steps[steps.length - 1].undo = build(before, after, () => true).map((x) => x.command);
  };

  // ---- 1. forwarders that go away or change
  for (const [k, f] of O.forwarders) {
    const want = D.forwarders.get(k);
    if (want ? sameJson(want, f) : !owned(k)) continue;
    push({
      // our own forwarder is replaced (stop, then start anew: ownership logs a fresh creation);
      // someone else's is changed (destroy must start their original again)
      command: cmd.forwarderStop(f),
      undo: [cmd.forwarderStart(f)],
      object: k,
      action: want && !owned(k) ? 'change' : 'delete',
      reason: want ? `forwarder ${f.name} changed in the document: stop the old one` : `forwarder ${f.name} is not in the document`,
      ...(owned(k) ? {} : { unmanaged: true }),
    });
  }

  // what goes away as a whole
  const nsGone = new Set([...O.namespaces.keys()].filter((n) => n !== HOST_NS && !D.namespaces.has(n) && owned(objectKey.namespace(n))));
  const replaced = (l: LinkState) => {
    const d = D.links.get(linkKey(l));
    return d !== undefined && !sameIdentity(d, l);
  };
  const linkGoes = (l: LinkState) => (D.links.has(linkKey(l)) ? replaced(l) : ownedLink(l));
  const implicitlyGone = (l: LinkState) => nsGone.has(l.ns) || (l.peer !== undefined && nsGone.has(l.peer.ns)); // with a namespace, or explicitly (phase 3)
  const linkGone = new Set<string>();
  for (const l of O.links.values()) {
    if (implicitlyGone(l) || linkGoes(l) || (l.peer && O.links.has(linkKey(l.peer)) && linkGoes(O.links.get(linkKey(l.peer))!))) {
      linkGone.add(linkKey(l));
      if (l.peer) linkGone.add(linkKey(l.peer));
    }
  }

  // policy rules: deleted before the routes they lead to, added after them (./rule-diff.ts)
  const ruleChanges = diffRules({ want: D.rules, have: O.rules, owned, nsGone });

  // ---- 2. per namespace: what goes away inside namespaces that stay (resolv.conf even from those that go)
  const oNat = byNamespace(O.nat),
    oSysctls = byNamespace(O.sysctls),
    oRoutes = byNamespace(O.routes),
    oAddresses = byNamespace(O.addresses);
  for (const n of O.namespaces.keys()) {
    const dk = objectKey.dns(n);
    const dns = O.dns.get(dk);
    if (dns && !D.dns.has(dk) && (owned(dk) || nsGone.has(n))) {
      push({
        command: cmd.dnsRemove(n),
        undo: [cmd.dnsWrite(n, dns.dns)],
        object: dk,
        action: 'delete',
        reason: `${where(n)} has no DNS settings in the document: remove its resolv.conf`,
      });
    }
    if (nsGone.has(n)) continue;
    for (const [k, a] of O.accepts) {
      if (a.ns !== n || D.accepts.has(k) || !owned(k)) continue;
      push({
        command: cmd.acceptRule(n, '-D', a.bridge),
        undo: [cmd.acceptRule(n, '-I', a.bridge)],
        object: k,
        action: 'delete',
        reason: `the FORWARD accept rule of bridge ${at(n, a.bridge)} is not in the document`,
        exists: cmd.absent(cmd.acceptRule(n, '-C', a.bridge)),
      });
    }
    for (const [k, r] of oNat.get(n) ?? []) {
      if (D.nat.has(k) || !owned(k)) continue;
      push({
        command: cmd.natRule(n, '-D', r.rule),
        undo: [cmd.natRule(n, '-A', r.rule)],
        object: k,
        action: 'delete',
        reason: `NAT rule "${natRuleText(r.rule)}" in ${where(n)} is not in the document`,
        exists: cmd.absent(cmd.natRule(n, '-C', r.rule)),
      });
    }
    for (const [k, x] of oSysctls.get(n) ?? []) {
      if (D.sysctls.has(k) || !owned(k)) continue;
      push({
        command: cmd.sysctlSet(n, x.key, SYSCTL_DEFAULTS[x.key]),
        undo: [cmd.sysctlSet(n, x.key, x.value)],
        object: k,
        action: 'delete',
        reason: `${x.key} in ${where(n)} is not set by the document: back to its default ${SYSCTL_DEFAULTS[x.key]}`,
      });
    }
    for (const c of ruleChanges) {
      if (c.kind !== 'delete' || c.ns !== n) continue;
      push({
        command: cmd.ruleDel(n, c.rule),
        undo: [cmd.ruleAdd(n, c.rule)],
        object: c.key,
        action: c.replaced ? 'change' : 'delete',
        reason: c.replaced
          ? `policy rule "${ruleText(c.rule)}" in ${where(n)} differs from the document: delete it to add the document's`
          : `policy rule "${ruleText(c.rule)}" in ${where(n)} is not in the document`,
        exists: cmd.absent(cmd.ruleShow(n, c.rule)),
        ...(c.unmanaged ? { unmanaged: true } : {}),
      });
    }
    for (const [k, r] of oRoutes.get(n) ?? []) {
      if (D.routes.has(k) || !owned(k)) continue;
      const dev = routeDevice(O, n, r.route);
      if (dev && linkGone.has(objectKey.link(n, dev))) continue; // goes with its link
      push({
        command: cmd.routeDel(n, r.route),
        undo: [cmd.routeAdd(n, r.route)],
        object: k,
        action: 'delete',
        reason: `route ${r.route.to} in ${where(n)} is not in the document`,
        exists: cmd.absent(cmd.routeShow(n, r.route)),
      });
    }
    for (const [k, a] of oAddresses.get(n) ?? []) {
      if (D.addresses.has(k) || !owned(k) || linkGone.has(objectKey.link(n, a.dev))) continue;
      // derived undo: the kernel drops routes that needed this address
      pushDerived(
        {
          command: cmd.addrDel(n, a.dev, a.cidr),
          object: k,
          action: 'delete',
          reason: `address ${a.cidr} on ${at(n, a.dev)} is not in the document`,
          exists: cmd.absent(cmd.addrShow(n, a.dev, a.cidr)),
        },
        new Set([n]),
      );
    }
  }

  // ---- 3. links that go away: veth pairs, then bridges, then VRFs. A veth with an
  // end in a namespace that stays is deleted explicitly, from that end: namespaces
  // are freed asynchronously, so leaving it to `ip netns del` would leave the other
  // end behind for a while.
  const handled = new Set<string>();
  for (const kind of ['veth', 'bridge', 'vrf'] as const) {
    for (const l of O.links.values()) {
      const k = linkKey(l);
      if (l.kind !== kind || !linkGone.has(k) || handled.has(k)) continue;
      handled.add(k);
      let end = l;
      const p = l.peer ? O.links.get(linkKey(l.peer)) : undefined;
      if (p) {
        handled.add(linkKey(p));
        if (nsGone.has(l.ns) && !nsGone.has(p.ns)) end = p;
      }
      if (nsGone.has(end.ns) || !cur.links.has(linkKey(end))) continue; // goes with its namespace
      const other = end === l ? p : l;
      const isReplacement = D.links.has(k) || (p !== undefined && D.links.has(linkKey(p)));
      const what = kind === 'veth' ? `veth ${at(end.ns, end.name)}${other ? ` ↔ ${at(other.ns, other.name)}` : ''}` : `${kind} ${at(l.ns, l.name)}`;
      pushDerived(
        {
          command: cmd.linkDel(end.ns, end.name),
          object: linkKey(end),
          action: 'delete',
          reason: isReplacement ? `${what} exists in another form than the document says: delete it to recreate it` : `${what} is not in the document`,
          exists: cmd.absent(cmd.linkShow(end.ns, end.name)),
          ...(ownedLink(l) ? {} : { unmanaged: true }),
        },
        new Set([end.ns, ...(end.peer ? [end.peer.ns] : [])]),
      );
    }
  }

  // ---- 4. namespaces that go away
  for (const n of nsGone) {
    const scope = new Set([n]);
    for (const l of cur.links.values()) if (l.ns === n && l.peer) scope.add(l.peer.ns);
    pushDerived(
      {
        command: cmd.netnsDel(n),
        object: objectKey.namespace(n),
        action: 'delete',
        reason: `namespace ${n} is not in the document (its links, veth peers, addresses, routes, sysctls and NAT rules go with it)`,
        exists: cmd.absent(cmd.linkShow(n, 'lo')),
      },
      scope,
    );
  }

  // ---- 4b. links the document wants down go down before the build: the kernel drops
  // the routes through them, and the build must see that (the undo brings both back)
  for (const d of D.links.values()) {
    const h = cur.links.get(linkKey(d));
    if (d.up || !h?.up || !sameIdentity(d, h)) continue;
    pushDerived(
      {
        command: cmd.linkSetUp(d.ns, d.name, false),
        object: linkKey(d),
        action: 'change',
        reason: `${at(d.ns, d.name)} should be down`,
        ...(ownedLink(h) ? {} : { unmanaged: true }),
      },
      new Set([d.ns]),
    );
  }

  // ---- 5. the build
  for (const d of build(D, cur, owned)) push(d);
  return steps;
}

/** A map's entries grouped by namespace, each group in the map's order (plans stay in document order). */
function byNamespace<T extends { ns: string }>(m: Map<string, T>): Map<string, [string, T][]> {
  const out = new Map<string, [string, T][]>();
  for (const e of m) {
    const g = out.get(e[1].ns);
    if (g) g.push(e);
    else out.set(e[1].ns, [e]);
  }
  return out;
}

/** Same kernel object: same kind, same veth peer, same VRF table. */
function sameIdentity(a: LinkState, b: LinkState): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'veth') return a.peer?.ns === b.peer?.ns && a.peer?.name === b.peer?.name;
  if (a.kind === 'vrf') return a.table === b.table;
  return true;
}

function cloneForPlanning(s: State): State {
  return {
    namespaces: new Map(s.namespaces),
    links: new Map(s.links),
    addresses: new Map(s.addresses),
    routes: new Map(s.routes),
    rules: new Map(s.rules),
    sysctls: new Map(s.sysctls),
    nat: new Map(s.nat),
    accepts: new Map(s.accepts),
    dns: new Map(s.dns),
    forwarders: new Map(s.forwarders),
  };
}

/** The part of a state that lives in the given namespaces (forwarders and files left out). */
function scoped(s: State, nss: Set<string>): State {
  const pick = <T extends { ns: string }>(m: Map<string, T>) => new Map([...m].filter(([, v]) => nss.has(v.ns)));
  return {
    namespaces: new Map([...s.namespaces].filter(([n]) => nss.has(n))),
    links: pick(s.links),
    addresses: pick(s.addresses),
    routes: pick(s.routes),
    rules: pick(s.rules),
    sysctls: pick(s.sysctls),
    nat: pick(s.nat),
    accepts: pick(s.accepts),
    dns: new Map(),
    forwarders: new Map(),
  };
}

/**
 * The build: what `want` has and `have` lacks (or has otherwise), as steps, in
 * build order. Used for phase 5 and, with want = before and have = after, to
 * derive the undo of a deletion.
 */
function build(want: State, have: State, owned: (key: string) => boolean): Draft[] {
  const out: Draft[] = [];
  const unmanaged = (key: string) => (owned(key) ? {} : { unmanaged: true as const });
  const created = new Set<string>();
  const nsOrder = [...want.namespaces.keys()];

  // namespaces
  for (const n of nsOrder) {
    if (n === HOST_NS || have.namespaces.has(n)) continue;
    out.push({
      command: cmd.netnsAdd(n),
      undo: [cmd.netnsDel(n)],
      object: objectKey.namespace(n),
      action: 'create',
      reason: `namespace ${n} is in the document but not on the host`,
      exists: cmd.linkShow(n, 'lo'),
    });
  }
  const fresh = (n: string) => n !== HOST_NS && !have.namespaces.has(n);

  // links: VRFs and bridges in their namespace, veth pairs from their creating side
  const pairs = new Map<string, [LinkState, LinkState]>();
  for (const l of want.links.values()) {
    if (l.kind !== 'veth' || !l.peer) continue;
    const p = want.links.get(linkKey(l.peer));
    if (!p) continue;
    const [e0, e1] = l.end === 1 || (l.end === undefined && linkKey(p) < linkKey(l)) ? [p, l] : [l, p];
    const [a, b] = cmd.vethCreator(e0, e1);
    pairs.set(linkKey(a), [a as LinkState, b as LinkState]);
  }
  const wLinks = byNamespace(want.links),
    wAddresses = byNamespace(want.addresses),
    wRoutes = byNamespace(want.routes);
  const wSysctls = byNamespace(want.sysctls),
    wNat = byNamespace(want.nat),
    wRules = byNamespace(want.rules);
  const pairsByNs = new Map<string, [string, [LinkState, LinkState]][]>();
  for (const e of pairs) {
    const g = pairsByNs.get(e[1][0].ns);
    if (g) g.push(e);
    else pairsByNs.set(e[1][0].ns, [e]);
  }
  for (const n of nsOrder) {
    for (const kind of ['vrf', 'bridge'] as const) {
      for (const [k, l] of wLinks.get(n) ?? []) {
        if (l.kind !== kind || have.links.has(k)) continue;
        created.add(k);
        out.push({
          command: kind === 'vrf' ? cmd.vrfAdd(n, l.name, l.table ?? 0) : cmd.bridgeAdd(n, l.name),
          undo: [cmd.linkDel(n, l.name)],
          object: k,
          action: 'create',
          reason: `${kind === 'vrf' ? `VRF (table ${l.table})` : 'bridge'} ${at(n, l.name)} is in the document but not on the host`,
          exists: cmd.linkShow(n, l.name),
        });
      }
    }
    for (const [k, [a, b]] of pairsByNs.get(n) ?? []) {
      if (have.links.has(k) && have.links.has(linkKey(b))) continue;
      created.add(k);
      created.add(linkKey(b));
      out.push({
        command: cmd.vethAdd(a, b),
        undo: [cmd.linkDel(a.ns, a.name)],
        object: k,
        action: 'create',
        reason: `veth ${at(a.ns, a.name)} ↔ ${at(b.ns, b.name)} is in the document but not on the host`,
        exists: cmd.linkShow(a.ns, a.name),
      });
    }
  }

  // per namespace: loopback, MTU, masters, addresses, up, routes, sysctls, NAT, resolv.conf
  const kindRank = { vrf: 0, bridge: 1, veth: 2 } as const;
  for (const n of nsOrder) {
    const links = (wLinks.get(n) ?? []).map(([, l]) => l).sort((x, y) => kindRank[x.kind] - kindRank[y.kind]);
    const before = (l: LinkState): LinkState | undefined => (created.has(linkKey(l)) ? undefined : have.links.get(linkKey(l)));

    const lo = want.namespaces.get(n)!.loopback;
    const loHave = fresh(n) ? 'down' : have.namespaces.get(n)!.loopback;
    if (lo !== loHave && !(n === HOST_NS && lo === 'down')) {
      out.push({
        command: cmd.linkSetUp(n, 'lo', lo === 'up'),
        undo: [cmd.linkSetUp(n, 'lo', loHave === 'up')],
        object: objectKey.loopback(n),
        action: fresh(n) ? 'create' : 'change',
        reason: `the loopback of ${where(n)} should be ${lo}`,
        ...(lo === 'up' ? { exists: cmd.linkShowUp(n, 'lo') } : {}),
        ...(fresh(n) ? {} : unmanaged(objectKey.loopback(n))),
      });
    }
    for (const l of links) {
      const h = before(l);
      const wantMtu = l.kind === 'veth' ? (l.mtu ?? DEFAULT_MTU) : l.mtu;
      const haveMtu = h ? (h.mtu ?? DEFAULT_MTU) : DEFAULT_MTU;
      if (wantMtu !== undefined && wantMtu !== haveMtu) {
        out.push({
          command: cmd.linkSetMtu(n, l.name, wantMtu),
          undo: [cmd.linkSetMtu(n, l.name, haveMtu)],
          object: linkKey(l),
          action: h ? 'change' : 'create',
          reason: `${at(n, l.name)} should have MTU ${wantMtu}${h ? ` (it has ${haveMtu})` : ''}`,
          ...(h ? unmanaged(linkKey(l)) : {}),
        });
      }
    }
    for (const l of links) {
      const h = before(l);
      if (l.master === h?.master) continue;
      out.push({
        command: cmd.linkSetMaster(n, l.name, l.master),
        undo: [cmd.linkSetMaster(n, l.name, h?.master)],
        object: linkKey(l),
        action: h ? 'change' : 'create',
        reason: l.master ? `${at(n, l.name)} is a port of ${l.master}` : `${at(n, l.name)} should not be a port of ${h?.master}`,
        ...(h ? unmanaged(linkKey(l)) : {}),
      });
    }
    for (const [k, a] of wAddresses.get(n) ?? []) {
      const linkNew = created.has(objectKey.link(n, a.dev));
      if (!linkNew && have.addresses.has(k)) continue;
      out.push({
        command: cmd.addrAdd(n, a.dev, a.cidr, a.nodad),
        undo: [cmd.addrDel(n, a.dev, a.cidr)],
        object: k,
        action: 'create',
        reason: `address ${a.cidr} on ${at(n, a.dev)} is in the document${a.nodad ? ' (nodad: usable at once)' : ''}`,
        exists: cmd.addrShow(n, a.dev, a.cidr),
      });
    }
    for (const l of links) {
      const h = before(l);
      if (l.up === (h?.up ?? false)) continue;
      out.push({
        command: cmd.linkSetUp(n, l.name, l.up),
        undo: [cmd.linkSetUp(n, l.name, !l.up)],
        object: linkKey(l),
        action: h ? 'change' : 'create',
        reason: `${at(n, l.name)} should be ${l.up ? 'up' : 'down'}${h ? '' : ' once configured'}`,
        ...(l.up ? { exists: cmd.linkShowUp(n, l.name) } : {}),
        ...(h ? unmanaged(linkKey(l)) : {}),
      });
    }
    for (const [k, r] of wRoutes.get(n) ?? []) {
      const h = have.routes.get(k);
      if (h && sameJson(h.route, r.route)) continue;
      out.push(
        h
          ? {
              command: cmd.routeReplace(n, r.route),
              undo: [cmd.routeReplace(n, h.route)],
              object: k,
              action: 'change',
              reason: `route ${r.route.to} in ${where(n)} differs from the document`,
              ...unmanaged(k),
            }
          : {
              command: cmd.routeAdd(n, r.route),
              undo: [cmd.routeDel(n, r.route)],
              object: k,
              action: 'create',
              reason: `route ${r.route.to}${r.route.via ? ` via ${r.route.via}` : ''} in ${where(n)} is in the document`,
              exists: cmd.routeShow(n, r.route),
            },
      );
    }
    for (const [k, r] of wRules.get(n) ?? []) {
      const h = fresh(n) ? undefined : have.rules.get(k);
      if (h && sameJson(h.rule, r.rule)) continue; // a rule in another form was deleted before the build
      out.push({
        command: cmd.ruleAdd(n, r.rule),
        undo: [cmd.ruleDel(n, r.rule)],
        object: k,
        action: 'create',
        reason: `policy rule "${ruleText(r.rule)}" in ${where(n)} is in the document`,
        exists: cmd.ruleShow(n, r.rule),
      });
    }
    for (const [k, x] of wSysctls.get(n) ?? []) {
      const h = have.sysctls.get(k);
      const hv = fresh(n) ? SYSCTL_DEFAULTS[x.key] : (h?.value ?? SYSCTL_DEFAULTS[x.key]);
      if (hv === x.value) continue;
      out.push({
        command: cmd.sysctlSet(n, x.key, x.value),
        undo: [cmd.sysctlSet(n, x.key, hv)],
        object: k,
        action: h ? 'change' : 'create',
        reason: `${x.key} should be ${x.value} in ${where(n)}`,
        ...(h ? unmanaged(k) : {}),
      });
    }
    for (const [k, r] of wNat.get(n) ?? []) {
      if (!fresh(n) && have.nat.has(k)) continue;
      out.push({
        command: cmd.natRule(n, '-A', r.rule),
        undo: [cmd.natRule(n, '-D', r.rule)],
        object: k,
        action: 'create',
        reason: `NAT rule "${natRuleText(r.rule)}" in ${where(n)} is in the document`,
        exists: cmd.natRule(n, '-C', r.rule),
      });
    }
    for (const [k, a] of want.accepts) {
      if (a.ns !== n || (!fresh(n) && have.accepts.has(k))) continue;
      out.push({
        command: cmd.acceptRule(n, '-I', a.bridge),
        undo: [cmd.acceptRule(n, '-D', a.bridge)],
        object: k,
        action: 'create',
        reason: `bridge ${at(n, a.bridge)} accepts forwarded traffic (acceptForward: an iptables FORWARD rule before the chain's DROP policy)`,
        exists: cmd.acceptRule(n, '-C', a.bridge),
      });
    }
    const dk = objectKey.dns(n);
    const dns = want.dns.get(dk);
    const hdns = have.dns.get(dk);
    if (dns && !(hdns && sameJson(hdns.dns, dns.dns))) {
      out.push({
        command: cmd.dnsWrite(n, dns.dns),
        undo: [hdns ? cmd.dnsWrite(n, hdns.dns) : cmd.dnsRemove(n)],
        object: dk,
        action: hdns ? 'change' : 'create',
        reason: `${where(n)} resolves names with ${dns.dns.nameservers.join(', ')} (/etc/netns/${n}/resolv.conf)`,
        ...(hdns ? unmanaged(dk) : {}),
      });
    }
  }

  // forwarders last: they need their addresses
  for (const [k, f] of want.forwarders) {
    if (have.forwarders.has(k)) continue;
    out.push({
      command: cmd.forwarderStart(f),
      undo: [cmd.forwarderStop(f)],
      object: k,
      action: 'create',
      reason: `forwarder ${f.name}: ${f.protocol} ${f.listen.address}:${f.listen.port} in ${where(f.listen.namespace)} → ${f.target.address}:${f.target.port} in ${where(f.target.namespace)}`,
    });
  }
  return out;
}
