/**
 * Host firewall awareness. With bridge netfilter on (br_netfilter loaded and
 * `net.bridge.bridge-nf-call-iptables=1`, both per network namespace), what a
 * bridge forwards between its ports passes the iptables FORWARD chain of the
 * bridge's namespace; Docker sets that chain's policy to DROP on its host, so a
 * bridge LAN there passes nothing, silently. Plan warns about that (for every
 * bridge of the document in a namespace that already exists: a namespace we
 * create starts with ACCEPT) and names the document option, `acceptForward`,
 * that adds an accept rule (shared/plan/commands.ts acceptRule), owned like any
 * other object and removed on destroy.
 *
 * Also reads back which of our accept rules exist, so the planner sees them as
 * host state (only in namespaces where the document asks for one). Only IPv4
 * (iptables): bridged IPv6 meets ip6tables, which this does not check.
 */
import type { Topology } from '../../shared/model/schema';
import { acceptComment } from '../../shared/plan/state';
import { runProgram } from '../proc';
import { programPath } from './runner';

export interface PlanWarning {
  code: 'forward-drop';
  /** the object the warning is about (`link:host/br0`) */
  object: string;
  message: string;
}

/** What the FORWARD chain of one namespace says, as `iptables -S FORWARD` prints it. */
export interface ForwardChain {
  policy?: string;
  /** rule lines (`-A FORWARD …`) */
  rules: string[];
}

async function inNs(path: string, argv: string[]) {
  return runProgram([programPath('nsenter'), `--net=${path}`, ...argv], { timeoutMs: 10_000 });
}

/** `iptables -S FORWARD` of the filter table in that namespace (listing creates no table); undefined without iptables. */
export async function readForwardChain(path: string): Promise<ForwardChain | undefined> {
  const r = await inNs(path, [programPath('iptables'), '-w', '-t', 'filter', '-S', 'FORWARD']);
  if (r.code !== 0) return undefined;
  const lines = r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const policy = lines.find((l) => l.startsWith('-P FORWARD '))?.split(/\s+/)[2];
  return { policy, rules: lines.filter((l) => l.startsWith('-A FORWARD ')) };
}

/** net.bridge.bridge-nf-call-iptables in that namespace: undefined when br_netfilter is not loaded (no such file). */
export async function readBridgeNfCallIptables(path: string): Promise<string | undefined> {
  const r = await inNs(path, [programPath('cat'), '/proc/sys/net/bridge/bridge-nf-call-iptables']);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** Bridges whose netns-studio accept rule is in this chain. */
export function acceptedBridges(chain: ForwardChain, bridges: string[]): Set<string> {
  const out = new Set<string>();
  for (const b of bridges) {
    const comment = acceptComment(b);
    if (chain.rules.some((l) => l.includes(`-i ${b} -o ${b} `) && (l.includes(`"${comment}"`) || l.includes(` ${comment} `)) && / -j ACCEPT$/.test(l)))
      out.add(b);
  }
  return out;
}

/** Some rule of the chain already accepts what this bridge forwards (ours or a person's `-i BR [-o BR] … -j ACCEPT` without other matches). */
function accepted(chain: ForwardChain, bridge: string): boolean {
  return chain.rules.some((l) => {
    const m = /^-A FORWARD -i (\S+)(?: -o (\S+))?(?: -m comment --comment \S+)? -j ACCEPT$/.exec(l);
    return m !== null && m[1] === bridge && (m[2] === undefined || m[2] === bridge);
  });
}

/**
 * Warnings for the document's bridges: in each namespace given (name → namespace
 * file, those that exist now), bridge netfilter on + FORWARD policy DROP + no
 * rule accepting the bridge's traffic + the document not asking for one.
 */
export async function forwardDropWarnings(doc: Topology, existing: Map<string, string>, chains: Map<string, ForwardChain | undefined>): Promise<PlanWarning[]> {
  const out: PlanWarning[] = [];
  const byNs = new Map<string, Topology['bridges']>();
  for (const b of doc.bridges) if (existing.has(b.namespace) && !b.acceptForward) byNs.set(b.namespace, [...(byNs.get(b.namespace) ?? []), b]);
  await Promise.all(
    [...byNs].map(async ([ns, bridges]) => {
      const path = existing.get(ns)!;
      const chain = chains.has(ns) ? chains.get(ns) : await readForwardChain(path);
      if (!chain || (chain.policy !== 'DROP' && chain.policy !== 'REJECT')) return;
      const nf = await readBridgeNfCallIptables(path);
      if (nf !== '1') return; // br_netfilter not loaded, or bridged traffic skips iptables here
      for (const b of bridges) {
        if (accepted(chain, b.name)) continue;
        out.push({
          code: 'forward-drop',
          object: `link:${ns}/${b.name}`,
          message: `bridge ${ns}/${b.name} will pass no IPv4 traffic between its ports: bridge netfilter is on in ${ns} (net.bridge.bridge-nf-call-iptables=1), so bridged traffic passes its iptables FORWARD chain, whose policy is ${chain.policy} (Docker sets it so). Set \`acceptForward: true\` on the bridge to add an accept rule for it (owned by netns-studio, removed on destroy).`,
        });
      }
    }),
  );
  return out;
}
