/**
 * One ping, walked through the network the way the kernel handles it, there and
 * back. Per namespace: nat PREROUTING (DNAT), the route lookup (rules, tables),
 * rp_filter, local delivery (filter INPUT) or forwarding (ip_forward, filter
 * FORWARD, nat POSTROUTING: masquerade/SNAT); out of a link: admin state, the
 * gateway on-link, carrier, the neighbour that answers on that link, the veth
 * crossing and the bridges on the way (their state, their ports, bridge
 * netfilter's FORWARD). Conntrack is carried along: the reply is un-NATed where
 * the request was NATed and is ESTABLISHED where the request passed.
 *
 * The first thing that stops the packet ends the walk with a Failure (fail), or
 * with an "unknown" when an iptables rule or policy rule it cannot evaluate
 * decides, quoted as written.
 *
 * Pure: no node:* imports.
 */
import { parseIp, type Ip } from '../validate/ip';
import { evalFilterChain, evalMarkChain, evalNatChain, type IptPacket } from './iptables';
import {
  inPrefix,
  lookupRoute,
  onLinkDev,
  onlyDefaultRules,
  routeDev,
  selectSource,
  selectSourceAnywhere,
  type LookupQuery,
  type LookupResult,
} from './lookup';
import { ipKey, ipText, type Family, type Net, type NetLink, type NetNs, type NetRoute } from './net';
import { fixFilterAccept, fixForwarding, fixLinkUp, fixLoopback, fixMasquerade, fixRoute, fixRpFilter, inNs, pick } from './fixes';
import type { Direction, FaultCode, Failure, Hop, ReachResult } from './result';
import { ownerOf, segmentOf } from './segment';

class Stop {
  constructor(
    readonly failure: Failure,
    readonly verdict: 'fail' | 'unknown',
  ) {}
}

/** Conntrack of the ping in one namespace. */
interface Ct {
  origSrc: Ip;
  origDst: Ip;
  snatTo?: Ip;
  dnatTo?: Ip;
}

interface Walk {
  net: Net;
  /** record the hops (false: only the failing one; a matrix printed as text needs no more) */
  detail: boolean;
  family: Family;
  dir: Direction;
  hops: Hop[];
  ct: Map<string, Ct>;
  /** namespaces that routed the request on: where a missing masquerade would go */
  routers: { ns: NetNs; out: string; src: Ip; natted: boolean }[];
  /** multipath routes: the path to take at the k-th one met (default 0), and how many paths each one met had */
  choices: readonly number[];
  counts: number[];
  /** the multipath routes met, in order (for a reason when their paths disagree) */
  multipaths: { ns: string; route: NetRoute }[];
}

interface Pkt {
  src?: Ip;
  dst: Ip;
  /** reply only: the interface its request arrived on (its VRF is the reply's) */
  l3dev?: string;
  /** the mark in the namespace it is in (it starts at 0 there: crossing namespaces clears it); undefined = unknown */
  mark?: number;
  /** why the mark is unknown, for a fwmark rule's "unknown" */
  markWhy?: string;
}

type Step = { next: { ns: NetNs; iface: string } } | { delivered: { ns: NetNs; src: Ip; dst: Ip; iface?: string } };

const same = (a: Ip | undefined, b: Ip | undefined) => !!a && !!b && a.kind() === b.kind() && ipKey(a) === ipKey(b);
const s = (ip: Ip | undefined) => (ip ? ipText(ip) : '?');

function stop(w: Walk, code: FaultCode, ns: NetNs, reason: string, fix: string, extra: { iface?: string; entry?: string; unknown?: boolean } = {}): never {
  const failure: Failure = { code, direction: w.dir, ns: ns.name, reason, fix };
  if (extra.iface) failure.iface = extra.iface;
  if (extra.entry) failure.entry = extra.entry;
  w.hops.push({ direction: w.dir, ns: ns.name, iface: extra.iface, kind: 'fail', text: reason, ...(extra.entry ? { entry: extra.entry } : {}) });
  throw new Stop(failure, extra.unknown ? 'unknown' : 'fail');
}

/** Record a hop; callers test w.detail first, so a verdicts-only matrix builds none of the hop's strings. */
function hop(w: Walk, h: Omit<Hop, 'direction'>) {
  (h as Hop).direction = w.dir;
  w.hops.push(h as Hop);
}

function ipkt(w: Walk, ns: NetNs, p: Pkt, inIface?: string, outIface?: string): IptPacket {
  const ctstate = w.dir === 'request' ? 'NEW' : w.ct.has(ns.name) ? 'ESTABLISHED' : 'INVALID';
  const echo = w.family === 4 ? (w.dir === 'request' ? 8 : 0) : w.dir === 'request' ? 128 : 129;
  return { family: w.family, src: p.src!, dst: p.dst, inIface, outIface, ctstate, icmpType: echo, isLocal: (ip) => ns.local.has(ipKey(ip)), mark: p.mark };
}

/**
 * The packet's mark after mangle `chain` in this namespace (it arrives with 0: a
 * veth crossing into another namespace scrubs it). Read only where it matters: a
 * namespace whose mangle table is unknown leaves it unknown, said why.
 */
function markIn(w: Walk, ns: NetNs, chain: 'PREROUTING' | 'OUTPUT', p: Pkt, inIface?: string, outIface?: string) {
  const rules = ns.mangle[w.family];
  p.markWhy = undefined;
  if (!rules) {
    p.mark = undefined;
    p.markWhy = `${ns.name}'s ${w.family === 4 ? 'iptables' : 'ip6tables'} mangle table (which may set the mark) was not read`;
    return;
  }
  p.mark = 0;
  if (!rules.length || p.src === undefined) return;
  const v = evalMarkChain(rules, chain, ipkt(w, ns, p, inIface, outIface));
  if ('mark' in v) p.mark = v.mark;
  else {
    p.mark = undefined;
    p.markWhy = `the mark depends on ${ns.name}'s mangle rule "${v.unknown.text}", which this analysis cannot evaluate`;
  }
}

/** The lookup query of the packet in this namespace. */
function query(w: Walk, p: Pkt, iif: string): LookupQuery {
  return { family: w.family, dst: p.dst, src: p.src, iif, l3dev: p.l3dev, mark: p.mark, markUnknown: p.mark === undefined };
}

/** The filter table's verdict on the packet in `chain`; stops the walk on DROP or an unreadable rule. */
function filter(w: Walk, ns: NetNs, chain: 'INPUT' | 'OUTPUT' | 'FORWARD', p: Pkt, inIface?: string, outIface?: string, bridged?: string) {
  if (ns.nft?.length) nftFilter(w, ns, chain, bridged);
  const table = w.family === 4 ? ns.filter : ns.filter6;
  if (!table) return; // not read: nothing is assumed to drop
  const v = evalFilterChain(table.chains, chain, ipkt(w, ns, p, inIface, outIface));
  if (v.verdict === 'ACCEPT') {
    if ((v.rule || table.chains.get(chain)?.policy === 'DROP') && w.detail)
      hop(w, {
        ns: ns.name,
        iface: bridged ?? inIface ?? outIface,
        kind: 'filter',
        text: `filter ${chain} accepts it`,
        entry: v.rule?.text ?? `-P ${chain} ACCEPT`,
      });
    return;
  }
  const why = bridged
    ? ` (bridge netfilter: traffic bridged by ${bridged} passes ${ns.name}'s ${w.family === 4 ? '' : 'ip6tables '}FORWARD chain because net.bridge.bridge-nf-call-ip${w.family === 4 ? '' : '6'}tables=1)`
    : '';
  const iface = bridged ?? inIface ?? outIface;
  if (v.verdict === 'unknown') {
    stop(
      w,
      'filter-unknown',
      ns,
      `cannot tell whether ${ns.name}'s filter ${v.chain} rule "${v.rule!.text}" applies to this ping${why}`,
      `check that rule by hand (${w.family === 4 ? 'iptables' : 'ip6tables'}-save -t filter in ${ns.name})`,
      { iface, entry: v.rule!.text, unknown: true },
    );
  }
  const match = [
    inIface ? `-i ${inIface}` : '',
    outIface ? `-o ${outIface}` : '',
    w.dir === 'reply' ? '-m conntrack --ctstate ESTABLISHED,RELATED' : `-s ${s(p.src)} -d ${s(p.dst)}`,
  ]
    .filter(Boolean)
    .join(' ');
  const what = v.rule ? `filter rule "${v.rule.text}" drops it` : `the filter ${chain} policy is DROP and no rule accepts it`;
  const fix =
    fixFilterAccept(ns.name, chain, match, w.family) +
    (bridged ? `; or, in the topology, set \`acceptForward: true\` on bridge ${bridged} (apply adds and owns that rule)` : '');
  stop(w, 'filter-drop', ns, `${ns.name}: ${what}${why}`, fix, { iface, entry: v.rule?.text ?? `-P ${chain} DROP` });
}

/** The netfilter hooks a packet passes on its way through `chain` (prerouting before input/forward, postrouting after). */
const NFT_HOOKS: Record<'INPUT' | 'OUTPUT' | 'FORWARD', readonly string[]> = {
  INPUT: ['prerouting', 'input'],
  FORWARD: ['prerouting', 'forward', 'postrouting'],
  OUTPUT: ['output', 'postrouting'],
};

/**
 * Native nftables base chains on the packet's way (families ip, ip6 and inet): plain accept/drop rules and
 * policies are evaluated; the first rule with matches gives "unknown" quoting it. A bridge or netdev family
 * chain also sees the packet (or may): unknown too, never a guess. Chains made by iptables-nft are not here
 * (iptables-save shows them).
 */
function nftFilter(w: Walk, ns: NetNs, chain: 'INPUT' | 'OUTPUT' | 'FORWARD', bridged?: string) {
  const fam = w.family === 4 ? 'ip' : 'ip6';
  for (const c of ns.nft!) {
    const other = c.family === 'bridge' || c.family === 'netdev';
    if (!other && ((c.family !== fam && c.family !== 'inet') || !NFT_HOOKS[chain].includes(c.hook))) continue;
    const where = `${ns.name}'s nftables table ${c.family} ${c.table}, chain ${c.name} (hook ${c.hook}, policy ${c.policy})`;
    if (other)
      stop(
        w,
        'filter-unknown',
        ns,
        `cannot tell what ${where} does to this ping: this analysis does not evaluate ${c.family} chains`,
        `check that chain by hand (${inNs(ns.name, `nft list chain ${c.family} ${c.table} ${c.name}`)})`,
        { iface: bridged, entry: `table ${c.family} ${c.table} chain ${c.name}`, unknown: true },
      );
    let verdict: 'accept' | 'drop' = c.policy;
    let by = `policy ${c.policy}`;
    for (const r of c.rules) {
      if (!r.verdict)
        stop(
          w,
          'filter-unknown',
          ns,
          `cannot tell whether the rule of ${where} applies to this ping: ${r.text}`,
          `check that rule by hand (${inNs(ns.name, `nft -a list chain ${c.family} ${c.table} ${c.name}`)})`,
          { iface: bridged, entry: r.text, unknown: true },
        );
      verdict = r.verdict;
      by = r.text;
      break;
    }
    if (verdict === 'drop') {
      stop(
        w,
        'filter-drop',
        ns,
        `${ns.name}: ${by === `policy ${c.policy}` ? `the policy of ${where} is drop and no rule accepts it` : `${where}: ${by} drops it`}`,
        `accept the ping there (${inNs(ns.name, `nft insert rule ${c.family} ${c.table} ${c.name} ${w.family === 4 ? 'icmp' : 'icmpv6'} type { echo-request, echo-reply } accept`)}) or change that chain`,
        { iface: bridged, entry: by === `policy ${c.policy}` ? `table ${c.family} ${c.table} chain ${c.name} policy drop` : by },
      );
    }
    if (w.detail) hop(w, { ns: ns.name, iface: bridged, kind: 'filter', text: `nftables ${c.family} ${c.table} ${c.name} accepts it`, entry: by });
  }
}

/** The route a lookup found, or the failure it means. */
function chosen(w: Walk, ns: NetNs, L: LookupResult, p: Pkt): NetRoute {
  if (L.unknownRule) {
    const why = L.unknownRule.fwmark && !L.unknownRule.unknown && p.markWhy ? ` (it selects by firewall mark, and ${p.markWhy})` : '';
    stop(
      w,
      'rule-unknown',
      ns,
      `${ns.name}: cannot evaluate policy rule "${L.unknownRule.text}" for ${s(p.dst)}${why}`,
      `check that rule by hand (${inNs(ns.name, 'ip rule')})`,
      { entry: L.unknownRule.text, unknown: true },
    );
  }
  if (!L.route && L.rule && L.rule.action !== 'lookup')
    stop(
      w,
      'rule-action',
      ns,
      `${ns.name}: policy rule "${L.rule.text}" makes ${s(p.dst)} ${L.rule.action}`,
      `remove or change that rule (${inNs(ns.name, `ip rule del pref ${L.rule.priority}`)})`,
      { entry: L.rule.text },
    );
  if (!L.route) {
    if (L.downRoute) {
      const dev = L.downRoute.dev!;
      stop(
        w,
        'link-down',
        ns,
        `${ns.name}: link ${dev} is down, so its route ${L.downRoute.text} is not there and nothing else leads to ${s(p.dst)}`,
        fixLinkUp(w.net, ns.name, dev),
        { iface: dev, entry: L.downRoute.text },
      );
    }
    // the live kernel drops a down link's routes outright; its address (kept) still says which link it was
    const gone = downLinkOnSubnet(ns, p.dst, w.family);
    if (gone)
      stop(
        w,
        'link-down',
        ns,
        `${ns.name}: link ${gone.link} is down (it holds ${gone.cidr}, the subnet of ${s(p.dst)}), so the kernel removed its routes and nothing else leads there`,
        fixLinkUp(w.net, ns.name, gone.link),
        { iface: gone.link },
      );
    noRoute(w, ns, p, L);
  }
  const r = L.route!;
  if (r.type === 'blackhole' || r.type === 'unreachable' || r.type === 'prohibit') {
    stop(
      w,
      'route-type',
      ns,
      `${ns.name}: the route ${r.text} discards packets to ${s(p.dst)} (${r.type})`,
      pick(w.net, {
        live: `replace it: ${inNs(ns.name, `ip route del ${r.text}`)}`,
        document: `remove the ${r.type} route to ${r.prefix === 0 ? 'default' : `${s(r.dst)}/${r.prefix}`} from namespace ${ns.name}`,
      }),
      { entry: r.text },
    );
  }
  if (r.type !== 'unicast' && r.type !== 'local')
    stop(w, 'route-type', ns, `${ns.name}: ${s(p.dst)} matches the ${r.type} route ${r.text}, which a ping cannot use`, 'ping a unicast address', {
      entry: r.text,
      unknown: true,
    });
  return r.nexthops ? nexthopOf(w, ns, r) : r;
}

/** The path of a multipath route this walk takes (trace runs the walk once per combination of paths). */
function nexthopOf(w: Walk, ns: NetNs, r: NetRoute): NetRoute {
  const k = w.counts.length;
  const i = w.choices[k] ?? 0;
  w.counts.push(r.nexthops!.length);
  w.multipaths.push({ ns: ns.name, route: r });
  const h = r.nexthops![i];
  return {
    ...r,
    via: h.via,
    dev: h.dev,
    nexthops: undefined,
    text: `${r.text} (path ${i + 1} of ${r.nexthops!.length}: nexthop${h.via ? ` via ${s(h.via)}` : ''}${h.dev ? ` dev ${h.dev}` : ''})`,
  };
}

/** A link set down that holds an address on the destination's subnet (its connected route went with it). */
function downLinkOnSubnet(ns: NetNs, dst: Pkt['dst'], family: Family): { link: string; cidr: string } | undefined {
  for (const l of ns.links.values()) {
    if (l.up || l.kind === 'loopback') continue;
    for (const a of l.addrs)
      if (a.family === family && a.prefix < (family === 4 ? 32 : 128) && inPrefix(dst, a.ip, a.prefix)) return { link: l.name, cidr: a.cidr };
  }
  return undefined;
}

/** When policy rules are not the default ones, which tables the lookup went through. */
function rulesSaid(w: Walk, ns: NetNs, L?: LookupResult): string {
  if (!L || onlyDefaultRules(ns, w.family)) return '';
  const empty = (t: number) => !(ns.tables.get(t) ?? []).some((r) => r.family === w.family);
  const hasMain = ns.rules[w.family].some((r) => r.table === 254);
  const steps = L.tried.map((x) => `rule "${x.rule.text}" → table ${x.table}${empty(x.table) ? ' (empty)' : ' (no match)'}`);
  return ` (policy rules: ${steps.join(', ') || 'none applies'}${hasMain ? '' : '; no rule looks up main'})`;
}

function noRoute(w: Walk, ns: NetNs, p: Pkt, L?: LookupResult): never {
  const dst = s(p.dst);
  const rules = rulesSaid(w, ns, L);
  if (w.dir === 'reply') {
    // the reply has nowhere to go: a router on the way forwarded the request without masquerading it
    const r = [...w.routers].reverse().find((x) => !x.natted);
    const back = r && [...(r.ns.links.get(r.out)?.addrs ?? [])].find((a) => a.family === w.family);
    const fix = r
      ? `${fixMasquerade(w.net, r.ns.name, s(r.src), r.out)}; or give ${ns.name} a route back: ${fixRoute(w.net, ns.name, dst, back ? s(back.ip) : undefined)}`
      : fixRoute(w.net, ns.name, dst);
    const because = r
      ? ` (${r.ns.name} forwarded the request from ${s(r.src)} out of ${r.out} without masquerade, so the reply must find its own way back)`
      : '';
    stop(w, 'no-return-route', ns, `${ns.name} has no route back to ${dst} for the reply${because}${rules}`, fix);
  }
  const fix = rules
    ? `look the destination up in a table that has a route: ${inNs(ns.name, 'ip rule add pref 32766 lookup main')}, or add the route to the table the rule names`
    : fixRoute(w.net, ns.name, dst, '<gateway>');
  stop(w, 'no-route', ns, `${ns.name} has no route to ${dst}${rules}`, fix);
}

function postrouting(w: Walk, ns: NetNs, p: Pkt, out: string) {
  if (w.dir !== 'request' || !ns.nat.length) return;
  const v = evalNatChain(ns.nat, 'POSTROUTING', ipkt(w, ns, p, undefined, out));
  if (v.unknown)
    stop(
      w,
      'nat-unknown',
      ns,
      `cannot tell whether ${ns.name}'s nat rule "${v.rule!.text}" applies to this ping`,
      `check that rule by hand (iptables-save -t nat in ${ns.name})`,
      { iface: out, entry: v.rule!.text, unknown: true },
    );
  if (v.action !== 'MASQUERADE' && v.action !== 'SNAT') return;
  const to = v.action === 'SNAT' ? v.rule!.toAddress : ns.links.get(out)?.addrs.find((a) => a.family === w.family)?.ip;
  if (!to)
    stop(w, 'nat-unknown', ns, `${ns.name}: ${v.rule!.text} has no address to use on ${out}`, `give ${out} an address`, {
      iface: out,
      entry: v.rule!.text,
      unknown: true,
    });
  if (w.detail)
    hop(w, {
      ns: ns.name,
      iface: out,
      kind: 'nat',
      text: `${v.action === 'SNAT' ? 'SNAT' : 'masquerade'}: source ${s(p.src)} → ${s(to)}`,
      entry: v.rule!.text,
    });
  w.ct.get(ns.name)!.snatTo = to;
  p.src = to;
}

function prerouting(w: Walk, ns: NetNs, p: Pkt, chain: 'PREROUTING' | 'OUTPUT', inIface?: string): boolean {
  if (w.dir !== 'request' || !ns.nat.length) return false;
  const v = evalNatChain(ns.nat, chain, ipkt(w, ns, p, inIface));
  if (v.unknown)
    stop(
      w,
      'nat-unknown',
      ns,
      `cannot tell whether ${ns.name}'s nat rule "${v.rule!.text}" applies to this ping`,
      `check that rule by hand (iptables-save -t nat in ${ns.name})`,
      { iface: inIface, entry: v.rule!.text, unknown: true },
    );
  if (v.action !== 'DNAT' || !v.rule!.toAddress) return false;
  if (w.detail) hop(w, { ns: ns.name, iface: inIface, kind: 'nat', text: `DNAT: destination ${s(p.dst)} → ${s(v.rule!.toAddress)}`, entry: v.rule!.text });
  w.ct.get(ns.name)!.dnatTo = v.rule!.toAddress;
  p.dst = v.rule!.toAddress;
  return true;
}

function sendLocal(w: Walk, ns: NetNs, p: Pkt): Step {
  // a socket's packets start unmarked; the first lookup sees mark 0, mangle OUTPUT may change it (then routed again)
  p.mark = 0;
  p.markWhy = undefined;
  let L = lookupRoute(ns, query(w, p, 'lo'));
  let retried = '';
  if (w.family === 6 && p.src === undefined && !L.route && !L.unknownRule) {
    // IPv6 (ip6_dst_lookup_tail): a lookup without source that fails is retried with a source picked among all the
    // namespace's addresses, so rules by source (`from`) can still find a table for it
    const src = selectSourceAnywhere(ns, p.dst);
    const again = src ? lookupRoute(ns, { ...query(w, p, 'lo'), src }) : undefined;
    if (again?.route || again?.unknownRule) {
      p.src = src;
      L = again;
      retried = ` (no route without a source address: the kernel picked ${s(src)} and looked up again, ${again.rule?.text ?? ''})`;
    }
  }
  let r = chosen(w, ns, L, p);
  if (r.type === 'local') return deliverSelf(w, ns, p, r);
  let dev = routeDev(ns, r) ?? noDevice(w, ns, r);
  p.src ??=
    selectSource(ns, r, dev, p.dst, w.family) ??
    stop(w, 'no-source', ns, `${ns.name} has no IPv${w.family} address to send from`, `give ${dev} an address`, { iface: dev });
  if (w.dir === 'request') w.ct.set(ns.name, { origSrc: p.src, origDst: p.dst });
  markIn(w, ns, 'OUTPUT', p, undefined, dev);
  const dnat = prerouting(w, ns, p, 'OUTPUT');
  const marked = p.mark === undefined ? ns.rules[w.family].some((r) => r.fwmark) : p.mark !== 0;
  if (dnat || marked) {
    // the kernel routes a locally DNATed or marked packet again (ip_route_me_harder)
    L = lookupRoute(ns, query(w, p, 'lo'));
    r = chosen(w, ns, L, p);
    if (r.type === 'local') return deliverSelf(w, ns, p, r);
    dev = routeDev(ns, r) ?? noDevice(w, ns, r);
  }
  filter(w, ns, 'OUTPUT', p, undefined, dev);
  postrouting(w, ns, p, dev);
  if (w.detail)
    hop(w, {
      ns: ns.name,
      iface: dev,
      kind: 'send',
      text: `${w.dir === 'request' ? 'ping' : 'reply'} ${s(p.src)} → ${s(p.dst)} out ${dev}${r.via ? ` via ${s(r.via)}` : ''}${retried}`,
      entry: r.text,
      src: s(p.src),
      dst: s(p.dst),
    });
  return { next: egress(w, ns, r, dev, p) };
}

function deliverSelf(w: Walk, ns: NetNs, p: Pkt, r: NetRoute): Step {
  if (!ns.loopbackUp)
    stop(
      w,
      'loopback-down',
      ns,
      `${s(p.dst)} is ${ns.name}'s own address, and its loopback is down (local traffic goes through lo)`,
      fixLoopback(w.net, ns.name),
      { iface: 'lo', entry: r.text },
    );
  p.src ??= p.dst;
  if (w.detail)
    hop(w, {
      ns: ns.name,
      iface: 'lo',
      kind: 'deliver',
      text: `${s(p.dst)} is ${ns.name}'s own address: answered locally`,
      entry: r.text,
      src: s(p.src),
      dst: s(p.dst),
    });
  return { delivered: { ns, src: p.src, dst: p.dst } };
}

/** A route without a device whose gateway sits on a link that is down: the kernel has no such route. */
function noDevice(w: Walk, ns: NetNs, r: NetRoute): never {
  for (const l of ns.links.values()) {
    if (!l.up && r.via && l.addrs.some((a) => a.family === w.family && r.via!.match(a.ip, a.prefix))) {
      stop(w, 'link-down', ns, `${ns.name}: link ${l.name} is down, so the route ${r.text} through it is not there`, fixLinkUp(w.net, ns.name, l.name), {
        iface: l.name,
        entry: r.text,
      });
    }
  }
  stop(w, 'gateway-not-on-link', ns, `${ns.name}: gateway ${s(r.via)} of ${r.text} is on none of its links`, gatewayFix(w, ns, r), { entry: r.text });
}

function gatewayFix(w: Walk, ns: NetNs, r: NetRoute): string {
  return pick(w.net, {
    live: `use a gateway on one of ${ns.name}'s subnets: ${inNs(ns.name, `ip route replace ${r.prefix === 0 ? 'default' : `${s(r.dst)}/${r.prefix}`} via <gateway>`)}`,
    document: `in namespace ${ns.name}, route ${r.prefix === 0 ? 'default' : `${s(r.dst)}/${r.prefix}`}: a \`via\` inside a subnet of its links`,
  });
}

/** The reply's source is un-DNATed on the way out (POSTROUTING), after routing and rp_filter saw the real one. */
function unDnat(w: Walk, ns: NetNs, iface: string, p: Pkt, ct: Ct | undefined) {
  if (w.dir !== 'reply' || !ct || !same(p.src, ct.dnatTo)) return;
  if (w.detail) hop(w, { ns: ns.name, iface, kind: 'nat', text: `un-DNAT (conntrack): source ${s(p.src)} → ${s(ct.origDst)}` });
  p.src = ct.origDst;
}

function receive(w: Walk, ns: NetNs, iface: string, p: Pkt): Step {
  if (w.detail) hop(w, { ns: ns.name, iface, kind: 'receive', text: `arrives on ${iface}`, src: s(p.src), dst: s(p.dst) });
  const ct = w.ct.get(ns.name);
  if (w.dir === 'reply' && ct) {
    if (same(p.dst, ct.snatTo)) {
      if (w.detail) hop(w, { ns: ns.name, iface, kind: 'nat', text: `un-masquerade (conntrack): destination ${s(p.dst)} → ${s(ct.origSrc)}` });
      p.dst = ct.origSrc;
    }
  }
  if (w.dir === 'request') w.ct.set(ns.name, { origSrc: p.src!, origDst: p.dst });
  markIn(w, ns, 'PREROUTING', p, iface);
  prerouting(w, ns, p, 'PREROUTING', iface);
  if (ns.local.has(ipKey(p.src!))) {
    stop(
      w,
      'martian-source',
      ns,
      `${ns.name} drops a packet from ${s(p.src)} arriving on ${iface}: that address is its own (martian source)`,
      'give each namespace its own addresses (or NAT one side)',
      { iface },
    );
  }
  const L = lookupRoute(ns, query(w, p, iface));
  const r = chosen(w, ns, L, p);
  if (w.family === 4 && ns.rpFilter) rpCheck(w, ns, iface, p);
  if (r.type === 'local') {
    filter(w, ns, 'INPUT', p, iface);
    unDnat(w, ns, iface, p, ct);
    if (w.detail)
      hop(w, {
        ns: ns.name,
        iface,
        kind: 'deliver',
        text: `${s(p.dst)} is ${ns.name}'s address: ${w.dir === 'request' ? 'it answers' : 'the reply is back'}`,
        entry: r.text,
      });
    return { delivered: { ns, src: p.src!, dst: p.dst, iface } };
  }
  if (!ns.forwarding[w.family]) {
    const key = w.family === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding';
    stop(
      w,
      'forwarding-off',
      ns,
      `${ns.name} would route ${s(p.dst)} on (${r.text}) but forwarding is off (${key}=0)`,
      fixForwarding(w.net, ns.name, w.family),
      { iface, entry: r.text },
    );
  }
  const dev = routeDev(ns, r) ?? noDevice(w, ns, r);
  filter(w, ns, 'FORWARD', p, iface, dev);
  const before = p.src!;
  postrouting(w, ns, p, dev);
  unDnat(w, ns, iface, p, ct);
  if (w.dir === 'request') w.routers.push({ ns, out: dev, src: before, natted: !same(before, p.src) });
  if (w.detail)
    hop(w, {
      ns: ns.name,
      iface: dev,
      kind: 'forward',
      text: `routed on out ${dev}${r.via ? ` via ${s(r.via)}` : ''}`,
      entry: r.text,
      src: s(p.src),
      dst: s(p.dst),
    });
  return { next: egress(w, ns, r, dev, p) };
}

/** rp_filter: the route back to the source must leave by the interface the packet came in on (strict), or exist (loose). */
function rpCheck(w: Walk, ns: NetNs, iface: string, p: Pkt) {
  const rev = lookupRoute(ns, { family: w.family, dst: p.src!, src: p.dst, iif: 'lo' }).route;
  const usable = rev && (rev.type === 'unicast' || rev.type === 'local');
  // a multipath route back passes strict rp_filter when any of its paths leaves by the interface (fib_info_nh_uses_dev)
  const backDevs = usable ? (rev.nexthops ?? [rev]).map((h) => h.dev ?? (h.via ? onLinkDev(ns, h.via, w.family) : undefined)) : [];
  const backDev = backDevs.includes(iface) ? iface : backDevs[0];
  const strict = ns.rpFilter === 1;
  if (usable && (!strict || backDev === iface)) return;
  const why = !usable
    ? `there is no route back to ${s(p.src)}`
    : `the route back to ${s(p.src)} (${rev!.text}) leaves by ${backDev}, not ${iface} (an asymmetric path)`;
  stop(
    w,
    'rp-filter',
    ns,
    `${ns.name} drops the packet from ${s(p.src)} arriving on ${iface}: rp_filter is ${strict ? 'strict' : 'loose'} (net.ipv4.conf.all.rp_filter=${ns.rpFilter}) and ${why}`,
    fixRpFilter(w.net, ns.name),
    { iface, entry: rev?.text },
  );
}

function carrierReason(w: Walk, ns: NetNs, l: NetLink): { reason: string; fix: string } {
  if (l.kind === 'veth' && l.peer) {
    const peer = w.net.namespaces.get(l.peer.ns)?.links.get(l.peer.name);
    if (peer && !peer.up)
      return { reason: `${ns.name}: ${l.name} has no carrier: its peer ${l.peer.name} in ${l.peer.ns} is down`, fix: fixLinkUp(w.net, l.peer.ns, l.peer.name) };
  }
  if (l.kind === 'bridge') return { reason: `${ns.name}: bridge ${l.name} has no carrier: none of its ports is up`, fix: `bring a port of ${l.name} up` };
  return { reason: `${ns.name}: ${l.name} has no carrier (operstate ${l.oper})`, fix: `check what is at the other end of ${l.name}` };
}

function egress(w: Walk, ns: NetNs, r: NetRoute, dev: string, p: Pkt): { ns: NetNs; iface: string } {
  const link = ns.links.get(dev);
  if (!link) noRoute(w, ns, p);
  if (!link.up) stop(w, 'link-down', ns, `${ns.name}: ${dev} is down`, fixLinkUp(w.net, ns.name, dev), { iface: dev, entry: r.text });
  if (r.via && !onLinkDev(ns, r.via, w.family, dev))
    stop(w, 'gateway-not-on-link', ns, `${ns.name}: gateway ${s(r.via)} is not on ${dev}'s subnet`, gatewayFix(w, ns, r), { iface: dev, entry: r.text });
  if (link.kind === 'loopback' || link.kind === 'vrf')
    stop(w, 'route-type', ns, `${ns.name}: ${r.text} sends ${s(p.dst)} to ${dev}, where nothing answers`, `route ${s(p.dst)} over a real link`, {
      iface: dev,
      entry: r.text,
    });
  if (link.kind === 'other')
    stop(w, 'leaves-host', ns, `${ns.name}: ${s(p.dst)} leaves through ${dev}, beyond the namespaces this analysis sees`, 'ping something inside this host', {
      iface: dev,
      entry: r.text,
      unknown: true,
    });
  if (!link.carrier) {
    const c = carrierReason(w, ns, link);
    stop(w, 'no-carrier', ns, c.reason, c.fix, { iface: dev, entry: r.text });
  }
  const seg = segmentOf(w.net, ns, link);
  const nexthop = r.via ?? p.dst;
  const ep = ownerOf(seg, nexthop);
  if (!ep) {
    if (seg.exits.length)
      stop(
        w,
        'leaves-host',
        ns,
        `${ns.name}: nothing this analysis sees on ${dev}'s link holds ${s(nexthop)}; frames also leave by ${seg.exits.map((e) => `${e.ns.name}/${e.link.name}`).join(', ')}`,
        'check the network behind that port',
        { iface: dev, entry: r.text, unknown: true },
      );
    if (r.via)
      stop(
        w,
        'wrong-gateway',
        ns,
        `${ns.name}: gateway ${s(r.via)} does not answer on ${dev}: no namespace on that link holds ${s(r.via)} (a wrong gateway)`,
        gatewayFix(w, ns, r),
        { iface: dev, entry: r.text },
      );
    stop(
      w,
      'no-neighbor',
      ns,
      `${ns.name}: ${s(p.dst)} is on ${dev}'s link (${r.text}) but no namespace there holds it`,
      `check the address of the namespace you meant to reach, or route ${s(p.dst)} via a gateway`,
      { iface: dev, entry: r.text },
    );
  }
  for (const c of ep.path) {
    if (c.kind === 'veth') {
      if (!c.toLink.up)
        stop(
          w,
          'link-down',
          c.to,
          `${c.to.name}: ${c.toLink.name} (peer of ${c.from.name}/${c.fromLink.name}) is down`,
          fixLinkUp(w.net, c.to.name, c.toLink.name),
          { iface: c.toLink.name },
        );
      if (c.fromLink !== link && (!c.fromLink.up || !c.fromLink.carrier))
        stop(
          w,
          'port-down',
          c.from,
          `${c.from.name}: bridge port ${c.fromLink.name} is ${c.fromLink.up ? 'without carrier' : 'down'}`,
          c.fromLink.up ? carrierReason(w, c.from, c.fromLink).fix : fixLinkUp(w.net, c.from.name, c.fromLink.name),
          { iface: c.fromLink.name },
        );
      continue;
    }
    const br = c.bridge;
    if (!br.up) stop(w, 'bridge-down', c.ns, `${c.ns.name}: bridge ${br.name} is down`, fixLinkUp(w.net, c.ns.name, br.name), { iface: br.name });
    if (c.inPort && !c.inPort.up)
      stop(w, 'port-down', c.ns, `${c.ns.name}: bridge port ${c.inPort.name} of ${br.name} is down`, fixLinkUp(w.net, c.ns.name, c.inPort.name), {
        iface: c.inPort.name,
      });
    if (!c.outPort) continue; // the bridge device itself receives it: routed from there on
    if (!c.outPort.up)
      stop(w, 'port-down', c.ns, `${c.ns.name}: bridge port ${c.outPort.name} of ${br.name} is down`, fixLinkUp(w.net, c.ns.name, c.outPort.name), {
        iface: c.outPort.name,
      });
    if (c.inPort && (w.family === 4 ? c.ns.bridgeNf : c.ns.bridgeNf6)) {
      if (w.dir === 'request' && !w.ct.has(c.ns.name)) w.ct.set(c.ns.name, { origSrc: p.src!, origDst: p.dst });
      filter(w, c.ns, 'FORWARD', p, br.name, br.name, br.name);
    }
    if (w.detail)
      hop(w, {
        ns: c.ns.name,
        iface: br.name,
        kind: 'bridge',
        text: `bridged by ${br.name}${c.inPort ? ` from ${c.inPort.name}` : ''} to ${c.outPort.name}`,
        src: s(p.src),
        dst: s(p.dst),
      });
  }
  return { ns: ep.ns, iface: ep.link.name };
}

function walk(w: Walk, start: NetNs, p: Pkt): { ns: NetNs; src: Ip; dst: Ip; iface?: string } {
  let at: { ns: NetNs; iface?: string } = { ns: start };
  for (let ttl = 64; ttl > 0; ttl--) {
    const step = at.iface === undefined ? sendLocal(w, at.ns, p) : receive(w, at.ns, at.iface, p);
    if ('delivered' in step) return step.delivered;
    at = step.next;
  }
  stop(w, 'loop', at.ns, `the ${w.dir} to ${s(p.dst)} is still travelling after 64 hops: a routing loop`, 'fix the routes that send it round', {});
}

/** Where the address lives: the namespace holding it (first found). */
export function holderOf(net: Net, ip: Ip): string | undefined {
  const k = ipKey(ip);
  for (const n of net.namespaces.values()) if (n.local.has(k) && n.local.get(k)!.kind !== 'loopback') return n.name;
  return undefined;
}

/** Ping `to` (an address) from namespace `from`: the hops there and back, or the first one that fails. */
export interface TraceOptions {
  /** record every hop (default true); false keeps only the failing hop */
  hops?: boolean;
  /** `to` already parsed (the matrix parses each address once, not once a pair) */
  dstIp?: Ip;
}

/** At most this many walks per question when multipath routes multiply the paths. */
const MAX_PATH_COMBINATIONS = 16;

/** The next combination of multipath choices after `choices`, given how many paths each route met had; undefined when done. */
function nextChoices(choices: readonly number[], counts: readonly number[]): number[] | undefined {
  for (let i = counts.length - 1; i >= 0; i--) {
    const c = choices[i] ?? 0;
    if (c + 1 < counts[i]) return [...counts.slice(0, i).map((_, j) => choices[j] ?? 0), c + 1];
  }
  return undefined;
}

/**
 * Ping `to` from `from`. A multipath route's paths are each followed (the kernel hashes a flow onto one,
 * which the analysis cannot know): when every combination gives the same verdict that is the answer (the
 * first path's hops); when they disagree the answer is "unknown", naming the route and each path's outcome.
 */
export function trace(net: Net, from: string, to: string, toNs?: string, opts: TraceOptions = {}): ReachResult {
  const first = traceOnce(net, from, to, toNs, opts, []);
  if (!first.counts.length) return first.result;
  const runs = [first];
  for (let c = nextChoices([], first.counts); c && runs.length < MAX_PATH_COMBINATIONS; c = nextChoices(c, runs[runs.length - 1].counts))
    runs.push(traceOnce(net, from, to, toNs, opts, c));
  const verdicts = new Set(runs.map((r) => r.result.predicted));
  if (verdicts.size === 1) return first.result;
  const mp = first.multipaths[0];
  const outcomes = runs.map(
    (r) =>
      `${r.multipaths.map((_, i) => `path ${(r.choices[i] ?? 0) + 1}`).join(', ')}: ${r.result.predicted}${r.result.failure ? ` (${r.result.reason})` : ''}`,
  );
  const failure: Failure = {
    code: 'multipath-differs',
    direction: first.result.failure?.direction ?? 'request',
    ns: mp.ns,
    entry: mp.route.text,
    reason: `${mp.ns}: the paths of multipath route ${mp.route.text} disagree, and which one a ping takes is the kernel's hash: ${outcomes.join('; ')}`,
    fix: 'make every path of the multipath route reach (or remove the path that does not), then ask again',
  };
  return { ...first.result, predicted: 'unknown', failure, reason: failure.reason };
}

function traceOnce(
  net: Net,
  from: string,
  to: string,
  toNs: string | undefined,
  opts: TraceOptions,
  choices: readonly number[],
): { result: ReachResult; counts: number[]; choices: readonly number[]; multipaths: Walk['multipaths'] } {
  const w: Walk = { net, detail: opts.hops !== false, family: 4, dir: 'request', hops: [], ct: new Map(), routers: [], choices, counts: [], multipaths: [] };
  return { result: walkPair(w, from, to, toNs, opts), counts: w.counts, choices, multipaths: w.multipaths };
}

function walkPair(w: Walk, from: string, to: string, toNs: string | undefined, opts: TraceOptions): ReachResult {
  const net = w.net;
  const dst = opts.dstIp ?? parseIp(to);
  const toNamespace = toNs ?? (dst ? holderOf(net, dst) : undefined);
  const base = { from, to, ...(toNamespace ? { toNamespace } : {}) };
  const A = net.namespaces.get(from);
  if (!A || !dst) {
    const failure: Failure = A
      ? { code: 'bad-address', direction: 'request', ns: from, reason: `${to} is not an IP address`, fix: 'give an IPv4 or IPv6 address, or a namespace name' }
      : {
          code: 'unknown-namespace',
          direction: 'request',
          ns: from,
          reason: `there is no namespace ${from}`,
          fix: `one of: ${[...net.namespaces.keys()].join(', ')}`,
        };
    return { ...base, predicted: 'fail', hops: [], failure, reason: failure.reason };
  }
  w.family = dst.kind() === 'ipv4' ? 4 : 6;
  try {
    const there = walk(w, A, { dst });
    if (there.ns === A) return { ...base, predicted: 'ok', hops: w.hops, reason: `${to} is ${from}'s own address` };
    w.dir = 'reply';
    const back = walk(w, there.ns, { src: there.dst, dst: there.src, l3dev: there.iface });
    if (back.ns !== A)
      stop(
        w,
        'reply-elsewhere',
        back.ns,
        `the reply ends in ${back.ns.name}, not ${from}`,
        `check the addresses: ${s(there.src)} is held by ${back.ns.name} too`,
      );
    return { ...base, predicted: 'ok', hops: w.hops, reason: `reaches ${there.ns.name} and back` };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const f = e.failure;
    return { ...base, predicted: e.verdict, hops: w.hops, failure: f, reason: `${f.direction === 'reply' ? 'reply: ' : ''}${f.reason}` };
  }
}
