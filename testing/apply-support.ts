/** Shared by the apply tests: run the executor inside a sandbox, where `host` is the sandbox namespace. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../shared/model/schema';
import type { Step } from '../shared/model/step';
import type { StepOp } from '../shared/model/step-op';
import { opFromArgv } from '../shared/plan/legacy-argv';
import type { PingCheck } from './pings';
import type { RouteGetCheck } from './route-gets';
import { prefixTopology, type Renamer } from './prefix';
import type { Sandbox } from './sandbox';
import { loadScenarios } from './scenarios';
import './trust-env';

/** argv prefix that makes `host` mean the sandbox's host namespace */
export function sandboxWrap(sb: Sandbox): string[] {
  return ['nsenter', `--net=/run/netns/${sb.hostNs}`];
}

export async function withStateDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-state-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A step with the usual shape; `undo` given as [ns, argv] pairs. */
export function step(namespace: string, argv: string[], undo: [string, string[]][], object: string, action: Step['action'] = 'create'): Step {
  // written as argv for reading; the operation comes from that argv as an old record's would
  const c = (n: string, a: string[]) => ({ namespace: n, argv: a, op: opFromArgv(n, a) as StepOp });
  return { ...c(namespace, argv), undo: undo.map(([n, a]) => c(n, a)), reason: `test: ${object}`, object, action };
}

/** Hand-written steps for a small topology (veth to host, a router namespace with nat, sysctl, dns), names from the sandbox. */
export function sampleSteps(sb: Sandbox): Step[] {
  const ns1 = sb.ns('ns1');
  const r = sb.ns('rt');
  return [
    step('host', ['ip', 'netns', 'add', ns1], [['host', ['ip', 'netns', 'del', ns1]]], `netns:${ns1}`),
    step('host', ['ip', 'netns', 'add', r], [['host', ['ip', 'netns', 'del', r]]], `netns:${r}`),
    step(
      'host',
      ['ip', 'link', 'add', 'name', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', ns1],
      [['host', ['ip', 'link', 'del', 'dev', 'veth0']]],
      'link:host/veth0',
    ),
    step(
      'host',
      ['ip', 'link', 'add', 'name', 'vr0', 'type', 'veth', 'peer', 'name', 'vr1', 'netns', r],
      [['host', ['ip', 'link', 'del', 'dev', 'vr0']]],
      'link:host/vr0',
    ),
    step(ns1, ['ip', 'link', 'set', 'dev', 'lo', 'up'], [[ns1, ['ip', 'link', 'set', 'dev', 'lo', 'down']]], `loopback:${ns1}`, 'change'),
    step(
      ns1,
      ['ip', 'address', 'add', '10.0.0.2/24', 'dev', 'veth1'],
      [[ns1, ['ip', 'address', 'del', '10.0.0.2/24', 'dev', 'veth1']]],
      `addr:${ns1}/veth1/10.0.0.2/24`,
    ),
    step(ns1, ['ip', 'link', 'set', 'dev', 'veth1', 'up'], [[ns1, ['ip', 'link', 'set', 'dev', 'veth1', 'down']]], `link:${ns1}/veth1`, 'change'),
    step(
      ns1,
      ['ip', 'route', 'add', 'default', 'via', '10.0.0.1', 'dev', 'veth1'],
      [[ns1, ['ip', 'route', 'del', 'default', 'via', '10.0.0.1', 'dev', 'veth1']]],
      `route:${ns1}/254/default`,
    ),
    step(
      'host',
      ['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'veth0'],
      [['host', ['ip', 'address', 'del', '10.0.0.1/24', 'dev', 'veth0']]],
      'addr:host/veth0/10.0.0.1/24',
    ),
    step('host', ['ip', 'link', 'set', 'dev', 'veth0', 'up'], [['host', ['ip', 'link', 'set', 'dev', 'veth0', 'down']]], 'link:host/veth0', 'change'),
    step(r, ['ip', 'address', 'add', '10.1.0.2/24', 'dev', 'vr1'], [[r, ['ip', 'address', 'del', '10.1.0.2/24', 'dev', 'vr1']]], `addr:${r}/vr1/10.1.0.2/24`),
    step(r, ['ip', 'link', 'set', 'dev', 'vr1', 'up'], [[r, ['ip', 'link', 'set', 'dev', 'vr1', 'down']]], `link:${r}/vr1`, 'change'),
    step(r, ['sysctl', '-w', 'net.ipv4.ip_forward=1'], [[r, ['sysctl', '-w', 'net.ipv4.ip_forward=0']]], `sysctl:${r}/net.ipv4.ip_forward`, 'change'),
    step(
      r,
      ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.1.0.0/24', '-o', 'vr1', '-j', 'MASQUERADE'],
      [[r, ['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', '10.1.0.0/24', '-o', 'vr1', '-j', 'MASQUERADE']]],
      `nat:${r}/masq`,
    ),
    step(
      ns1,
      ['write-file', `/etc/netns/${ns1}/resolv.conf`, 'nameserver 10.3.9.4\n'],
      [[ns1, ['remove-file', `/etc/netns/${ns1}/resolv.conf`]]],
      `dns:${ns1}`,
    ),
    step('host', ['ip', 'link', 'add', 'name', 'br0', 'type', 'bridge'], [['host', ['ip', 'link', 'del', 'dev', 'br0']]], 'link:host/br0'),
    step('host', ['ip', 'link', 'set', 'dev', 'vr0', 'master', 'br0'], [['host', ['ip', 'link', 'set', 'dev', 'vr0', 'nomaster']]], 'link:host/vr0', 'change'),
  ];
}

/**
 * The seed scenarios of fixtures/scenarios (topology + hand-written reference
 * script), for the apply tests. Forwarders are left out: starting them is the
 * forwarder runtime's business (helper/forwarders), tested there.
 */
export interface ApplyScenario {
  name: string;
  doc: Topology;
  /** the scenario's reference-up.sh: namespaces as ${P}name, run with sb.bash */
  reference: string;
  /** the topology has VRFs, so the kernel must support them */
  vrf: boolean;
  /** pings that must hold once it is built */
  pings: PingCheck[];
  /** routes the kernel must pick once it is built */
  routeGets: RouteGetCheck[];
}

export function applyScenarios(): ApplyScenario[] {
  return loadScenarios().map((s) => ({
    name: s.name,
    doc: { ...s.doc, forwarders: [] },
    reference: s.referenceUp,
    vrf: s.needsVrf,
    pings: s.pings,
    routeGets: s.routeGets,
  }));
}

/** One scenario's document with the sandbox's namespace names (`host` stays `host`). */
export function scenarioDoc(name: string, sb: Renamer): Topology {
  const sc = applyScenarios().find((s) => s.name === name);
  if (!sc) throw new Error(`no scenario ${name} in fixtures/scenarios`);
  return prefixTopology(sc.doc, sb);
}
