/**
 * An in-memory Backend (`?backend=demo`): a made-up host, a plan that lists
 * commands, an apply that can fail. For screenshots, demos and tests of the live
 * view and the plan dialog without a helper. Never used unless asked for.
 */
import type { ApplyProgress, Backend, HelperStatus, PlanResult, WatchEvent } from '../shared/backend';
import { ok } from '../shared/backend';
import type { Topology } from '../shared/model/schema';
import type { ObservedHost, ObservedNamespace } from '../shared/model/observed';
import type { Step } from '../shared/model/step';
import { objectKey } from '../shared/model/ids';
import * as cmd from '../shared/plan/commands';
import { browserShellOps } from './backend/browser-files';
import { netOfDocument } from '../shared/reach/from-document';
import { trace } from '../shared/reach/trace';

export interface DemoBackend extends Backend {
  /** the host as "discovered" (tests change it, then `emit`) */
  host: Topology;
  emit(ev: WatchEvent): void;
  /** make the next apply fail at this step (1-based) */
  failAt?: number;
}

function planFor(doc: Topology, host: Topology): PlanResult {
  const steps: Step[] = [];
  const hostNs = new Set(host.namespaces.map((n) => n.name));
  for (const n of doc.namespaces)
    if (!hostNs.has(n.name))
      steps.push({ ...cmd.netnsAdd(n.name), undo: [cmd.netnsDel(n.name)], reason: `namespace ${n.name} is in the document but not on the host`, object: objectKey.namespace(n.name), action: 'create' });
  for (const v of doc.veths) {
    const [a, b] = v.ends;
    steps.push({ ...cmd.vethAdd({ ns: a.namespace, name: a.name }, { ns: b.namespace, name: b.name }), undo: [], reason: `veth ${a.name} ↔ ${b.name} is missing`, object: objectKey.link(a.namespace, a.name), action: 'create' });
    for (const e of v.ends) for (const addr of e.addresses) steps.push({ ...cmd.addrAdd(e.namespace, e.name, addr), undo: [], reason: `${e.name} should have ${addr}`, object: objectKey.address(e.namespace, e.name, addr), action: 'create' });
  }
  for (const n of host.namespaces)
    if (!doc.namespaces.some((d) => d.name === n.name) && n.name.startsWith('old'))
      steps.push({ ...cmd.netnsDel(n.name), undo: [], reason: `${n.name} is not in the document (not created by Netns Studio)`, object: objectKey.namespace(n.name), action: 'delete', unmanaged: true });
  const count = (a: Step['action']) => steps.filter((s) => s.action === a).length;
  return { planHash: `demo-${steps.length}`, steps, summary: { create: count('create'), change: count('change'), delete: count('delete'), unmanaged: steps.filter((s) => s.unmanaged).length, total: steps.length } };
}

/**
 * The observed side of the made-up host, shaped as discover reports it: each
 * link's operational state as a kernel would give it (a veth end set up whose
 * peer is down has no carrier; a bridge has carrier when a port does). All
 * namespaces are named: the demo host has no containers.
 */
export function demoObserved(host: Topology): ObservedHost {
  const nss = new Map<string, ObservedNamespace>();
  const nsOf = (name: string) => {
    let n = nss.get(name);
    if (!n) nss.set(name, (n = { name, inode: nss.size + 1, named: true, nsids: {}, links: [], routes: [], rules: [], sysctls: {}, warnings: [] }));
    return n;
  };
  for (const n of host.namespaces) nsOf(n.name);
  const add = (ns: string, l: { name: string; kind: 'veth' | 'bridge'; up: boolean; carrier: boolean; addresses: string[]; master?: string; mtu?: number }) => {
    const n = nsOf(ns);
    n.links.push({
      ifindex: n.links.length + 2, name: l.name, kind: l.kind, rawKind: l.kind, up: l.up, carrier: l.carrier, oper: !l.up ? 'DOWN' : l.carrier ? 'UP' : 'LOWERLAYERDOWN',
      mtu: l.mtu ?? 1500, addresses: l.addresses.map((cidr) => ({ cidr, family: cidr.includes(':') ? 6 : 4, scope: 'global' })), ...(l.master ? { master: l.master } : {}),
    });
  };
  for (const v of host.veths) v.ends.forEach((e, i) => add(e.namespace, { name: e.name, kind: 'veth', up: e.up, carrier: e.up && v.ends[1 - i].up, addresses: e.addresses, master: e.master, mtu: e.mtu }));
  for (const b of host.bridges) {
    const ports = host.veths.flatMap((v) => v.ends.map((e, i) => ({ e, peer: v.ends[1 - i] }))).filter(({ e }) => e.namespace === b.namespace && e.master === b.name);
    add(b.namespace, { name: b.name, kind: 'bridge', up: b.up, carrier: ports.some(({ e, peer }) => e.up && peer.up), addresses: b.addresses, mtu: b.mtu });
  }
  return { readAt: 0, durationMs: 0, warnings: [], namespaces: [...nss.values()] };
}

export function createDemoBackend(host: Topology): DemoBackend {
  const status: HelperStatus = { state: 'connected', transport: 'stdio', uid: 0, root: true, canRetry: false };
  const watchers = new Set<(e: WatchEvent) => void>();
  const shell = browserShellOps();
  const self: DemoBackend = {
    kind: 'browser',
    host,
    emit: (ev) => watchers.forEach((w) => w(ev)),
    status: () => status,
    onStatus: () => () => {},
    connect: async () => status,
    discover: async () => ok({ document: self.host, observed: demoObserved(self.host) }),
    watch(onEvent) {
      watchers.add(onEvent);
      queueMicrotask(() => onEvent({ seq: 1, type: 'resync', document: self.host, observed: demoObserved(self.host) }));
      return () => watchers.delete(onEvent);
    },
    plan: async (doc) => ok(planFor(doc, self.host)),
    async apply(doc, _hash, onProgress?: (p: ApplyProgress) => void) {
      const plan = planFor(doc, self.host);
      for (let i = 0; i < plan.steps.length; i++) {
        onProgress?.({ index: i + 1, total: plan.steps.length, reason: plan.steps[i].reason, namespace: plan.steps[i].namespace, phase: 'apply' });
        await new Promise((r) => setTimeout(r, 30));
        if (self.failAt === i + 1)
          return { ok: false, error: { code: 'step-failed', message: `step ${i + 1} failed`, detail: { step: plan.steps[i], index: i + 1, stderr: 'RTNETLINK answers: File exists', rolledBack: true } } };
      }
      self.host = structuredClone(doc);
      return ok({ applied: plan.steps.length, durationMs: plan.steps.length * 30 });
    },
    destroy: async () => ok({ applied: 0, durationMs: 0 }),
    // the demo host keeps no records: nothing is applied as a topology
    listTopologies: async () => ok([]),
    topologyStatus: async (name) => ({ ok: false, error: { code: 'unknown-topology', message: `no topology "${name}" is applied (demo host)` } }),
    destroyTopology: async () => ok({ applied: 0, durationMs: 0 }),
    // the made-up host "answers" as the analysis of that host says (it has no kernel); pairs
    // of a design that differs from it disagree, as they would on a real host that differs
    async ping(pings, onProgress) {
      const net = netOfDocument(self.host);
      const refused = pings.filter((p) => p.from !== 'host' && !net.namespaces.has(p.from));
      if (refused.length) return { ok: false, error: { code: 'ping-refused', message: `refused ${refused.length} of ${pings.length} pings; nothing was sent: ${refused.slice(0, 5).map((p) => `${p.from}: no such named namespace on this host`).join('; ')}` } };
      const out = [];
      for (const p of pings) {
        await new Promise((r) => setTimeout(r, 5));
        const reached = trace(net, p.from, p.to).predicted === 'ok';
        out.push({ from: p.from, to: p.to, ok: reached, received: reached ? (p.count ?? 1) : 0 });
        onProgress?.({ done: out.length, total: pings.length });
      }
      return ok(out);
    },
    onForwarderStats: () => () => {},
    startCapture: async () => ({ ok: false, error: { code: 'helper-unavailable', message: 'capture needs the live host (the demo host has no packets)' } }),
    openTerminal: async () => ({ ok: false, error: { code: 'helper-unavailable', message: 'a terminal needs the live host' } }),
    impairLink: async () => ({ ok: false, error: { code: 'helper-unavailable', message: 'impairment needs the live host' } }),
    canOpenInWireshark: async () => false,
    openInWireshark: async () => ({ ok: false, error: { code: 'unsupported', message: 'not in the demo' } }),
    openFile: (p) => shell.openFile(p),
    saveFile: (t, o) => shell.saveFile(t, o),
    exportFile: (d, k, n) => shell.exportFile(d, k, n),
    onMenuCommand: () => () => {},
    setDocumentState: (s) => shell.setDocumentState(s),
    closeWindow: () => {},
  };
  return self;
}
