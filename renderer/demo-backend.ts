/**
 * An in-memory Backend (`?backend=demo`): a made-up host, planned on and applied
 * to with the real planner (shared/plan/host-plan.ts, as the helper's engine
 * does), the helper's refusals (unmanaged, touches-host, plan-stale) and its
 * result and event shapes (the protocol's, shared/protocol/). For screenshots,
 * demos and tests of the live view and the plan dialog without a helper. Never
 * used unless asked for. The host is a document; what the steps do to it is the
 * planner's simulated kernel (shared/plan/simulate.ts).
 */
import type { ApplyProgress, Backend, HelperStatus, PlanResult, SourceOptions, WatchEvent } from '../shared/backend';
import { ok } from '../shared/backend';
import type { Topology } from '../shared/model/schema';
import type { ObservedHost, ObservedNamespace } from '../shared/model/observed';
import type { Step } from '../shared/model/step';
import { identityNote, topologyIdentity } from '../shared/model/topology-name';
import { planOnHost } from '../shared/plan/host-plan';
import { markHostExposure } from '../shared/plan/host-exposure';
import { simulateTopology } from '../shared/plan/simulate';
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

/** 64 hex digits over the text (FNV-1a in four lanes): the shape of the helper's sha256 planHash, without needing a secure context. */
function demoHash(text: string): string {
  const lanes = [0x811c9dc5, 0x01000193, 0x2f6b1d3a, 0x5bd1e995];
  for (let i = 0; i < text.length; i++) for (let l = 0; l < 4; l++) lanes[l] = Math.imul(lanes[l] ^ text.charCodeAt(i) ^ l, 0x01000193) >>> 0;
  return lanes
    .map((x) => x.toString(16).padStart(8, '0'))
    .join('')
    .repeat(2);
}

/** The helper's rule (helper/ownership/ledger.ts markUnmanaged): a change or delete of an object this product did not create is unmanaged. */
function markUnmanagedDemo(steps: Step[], owned: ReadonlySet<string>): Step[] {
  return steps.map((s) => (s.action !== 'create' && !owned.has(s.object) ? { ...s, unmanaged: true } : s));
}

function planFor(doc: Topology, host: Topology, owned: ReadonlySet<string>, source: SourceOptions = {}): PlanResult {
  const steps = markHostExposure(markUnmanagedDemo(planOnHost(doc, { doc: host, bareLoopback: [] }, owned), owned), doc);
  const count = (a: Step['action']) => steps.filter((s) => s.action === a).length;
  const unmanaged = steps.filter((s) => s.unmanaged).length;
  const topology = topologyIdentity(doc, source.file);
  const note = identityNote(topology);
  return {
    planHash: demoHash(JSON.stringify({ steps, host, owned: [...owned].sort() })),
    steps,
    summary: { create: count('create'), change: count('change'), delete: count('delete'), unmanaged, total: steps.length },
    ...(unmanaged
      ? { warnings: [`${unmanaged} step(s) change objects netns-studio did not create; apply refuses them unless they are named explicitly`] }
      : {}),
    topology,
    notes: note ? [note] : [],
  };
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
      ifindex: n.links.length + 2,
      name: l.name,
      kind: l.kind,
      rawKind: l.kind,
      up: l.up,
      carrier: l.carrier,
      oper: !l.up ? 'DOWN' : l.carrier ? 'UP' : 'LOWERLAYERDOWN',
      mtu: l.mtu ?? 1500,
      addresses: l.addresses.map((cidr) => ({ cidr, family: cidr.includes(':') ? 6 : 4, scope: 'global' })),
      ...(l.master ? { master: l.master } : {}),
    });
  };
  for (const v of host.veths)
    v.ends.forEach((e, i) =>
      add(e.namespace, { name: e.name, kind: 'veth', up: e.up, carrier: e.up && v.ends[1 - i].up, addresses: e.addresses, master: e.master, mtu: e.mtu }),
    );
  for (const b of host.bridges) {
    const ports = host.veths
      .flatMap((v) => v.ends.map((e, i) => ({ e, peer: v.ends[1 - i] })))
      .filter(({ e }) => e.namespace === b.namespace && e.master === b.name);
    add(b.namespace, { name: b.name, kind: 'bridge', up: b.up, carrier: ports.some(({ e, peer }) => e.up && peer.up), addresses: b.addresses, mtu: b.mtu });
  }
  return { readAt: 0, durationMs: 0, warnings: [], namespaces: [...nss.values()] };
}

export function createDemoBackend(host: Topology): DemoBackend {
  const status: HelperStatus = { state: 'connected', transport: 'stdio', uid: 0, root: true, canRetry: false };
  const watchers = new Set<(e: WatchEvent) => void>();
  const shell = browserShellOps();
  /** object keys this backend created (the helper's ownership record) */
  const owned = new Set<string>();
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
    plan: async (doc, source) => ok(planFor(doc, self.host, owned, source)),
    async apply(doc, planHash, onProgress?: (p: ApplyProgress) => void, source = {}) {
      // the helper's checks, in its order (helper/apply/pipeline.ts applyDocument)
      const plan = planFor(doc, self.host, owned, source);
      if (planHash !== plan.planHash)
        return {
          ok: false,
          error: {
            code: 'plan-stale',
            message: 'the host changed since this plan was made: plan again and review the new steps',
            detail: { expected: planHash, actual: plan.planHash },
          },
        };
      const refused = plan.steps.filter((s) => s.unmanaged);
      if (refused.length)
        return {
          ok: false,
          error: {
            code: 'unmanaged',
            message: `the plan would change ${refused.length} object(s) this product did not create; name them explicitly to allow it`,
            detail: { objects: refused.map((s) => s.object) },
          },
        };
      const hostSteps = plan.steps.filter((s) => s.touchesHost);
      if (hostSteps.length && !source.allowHost)
        return {
          ok: false,
          error: {
            code: 'touches-host',
            message: `the plan has ${hostSteps.length} step(s) that touch the host; allow host changes explicitly to apply it`,
            detail: { steps: hostSteps.map((s) => ({ object: s.object, touchesHost: s.touchesHost })) },
          },
        };
      for (let i = 0; i < plan.steps.length; i++) {
        const step = plan.steps[i];
        onProgress?.({ index: i + 1, total: plan.steps.length, reason: step.reason, namespace: step.namespace, phase: 'apply' });
        await new Promise((r) => setTimeout(r, 30));
        if (self.failAt === i + 1) {
          // the executor's failure (helper/apply/executor.ts): 0-based index, the host rolled back (unchanged here)
          return {
            ok: false,
            error: {
              code: 'step-failed',
              message: `step ${i + 1} of ${plan.steps.length} failed (${step.reason}): RTNETLINK answers: File exists; everything applied before it was undone`,
              detail: {
                index: i,
                step,
                argv: step.argv,
                op: step.op,
                namespace: step.namespace,
                stderr: 'RTNETLINK answers: File exists',
                rolledBack: true,
                undone: i,
                rollbackErrors: [],
              },
            },
          };
        }
      }
      self.host = simulateTopology(plan.steps, self.host);
      for (const s of plan.steps)
        if (s.action === 'delete') owned.delete(s.object);
        else owned.add(s.object);
      return ok({ applied: plan.steps.length, durationMs: plan.steps.length * 30, topology: plan.topology.name });
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
      if (refused.length)
        return {
          ok: false,
          error: {
            code: 'ping-refused',
            message: `refused ${refused.length} of ${pings.length} pings; nothing was sent: ${refused
              .slice(0, 5)
              .map((p) => `${p.from}: no such named namespace on this host`)
              .join('; ')}`,
          },
        };
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
    onLinkRates: () => () => {},
    openFile: (p) => shell.openFile(p),
    saveFile: (t, o) => shell.saveFile(t, o),
    exportFile: (d, k, n) => shell.exportFile(d, k, n),
    onMenuCommand: () => () => {},
    setDocumentState: (s) => shell.setDocumentState(s),
    closeWindow: () => {},
  };
  return self;
}
