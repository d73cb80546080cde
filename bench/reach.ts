/**
 * bench:reach — the reachability matrix of a 200-namespace design predicted by
 * the CLI (`netns-studio reach FILE --format json`, whole process start to
 * exit) and one `why`, beside two baselines measured in the same run: `node -e 0`
 * (a bare process) and `netns-studio validate FILE` (the same CLI start and
 * file read, no analysis). Also the analysis alone, in process.
 *
 * The design: a core router namespace with four bridges (four LANs of 50
 * namespaces), forwarding on, one LAN masqueraded towards the others.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportYaml } from '../shared/export/yaml';
import { Topology, type TopologyInput } from '../shared/model/schema';
import { netOfDocument } from '../shared/reach/from-document';
import { reachMatrix, resolveTarget } from '../shared/reach/matrix';
import { trace } from '../shared/reach/trace';
import { cliPath, projectRoot } from '../testing/cli-runner';

const N = Number(process.env.REACH_BENCH_NAMESPACES ?? 200);
const RUNS = Number(process.env.REACH_BENCH_RUNS ?? 5);
const LANS = 4;

export function lanDocument(n: number): TopologyInput {
  const per = Math.ceil(n / LANS);
  const namespaces: NonNullable<TopologyInput['namespaces']> = [
    { name: 'core', sysctls: { 'net.ipv4.ip_forward': '1' }, nat: [{ action: 'masquerade', source: '10.3.0.0/16', outInterface: 'br0' }] },
  ];
  const bridges: NonNullable<TopologyInput['bridges']> = [];
  const veths: NonNullable<TopologyInput['veths']> = [];
  for (let l = 0; l < LANS; l++) bridges.push({ name: `br${l}`, namespace: 'core', addresses: [`10.${l}.0.1/16`] });
  for (let i = 0; i < n; i++) {
    const l = Math.floor(i / per);
    const k = (i % per) + 2;
    namespaces.push({ name: `s${i}`, routes: [{ to: 'default', via: `10.${l}.0.1` }] });
    veths.push({ ends: [{ namespace: `s${i}`, name: 'eth0', addresses: [`10.${l}.${Math.floor(k / 250)}.${(k % 250) + 1}/16`] }, { namespace: 'core', name: `p${i}`, master: `br${l}` }] });
  }
  return { apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: { name: `lans-${n}` }, namespaces, bridges, veths };
}

function timeProcess(argv: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(argv: string[]): number {
  timeProcess(argv); // warm the file cache
  return median(Array.from({ length: RUNS }, () => timeProcess(argv)));
}

const dir = mkdtempSync(join(tmpdir(), 'nss-reach-bench-'));
try {
  const doc = Topology.parse(lanDocument(N));
  const file = join(dir, 'lans.yaml');
  writeFileSync(file, exportYaml(doc));
  const node = process.execPath;

  reachMatrix(netOfDocument(doc)); // JIT warm-up, as a second question in the app would find it
  const t0 = performance.now();
  const rows = reachMatrix(netOfDocument(doc));
  const inProcess = performance.now() - t0;
  const t1 = performance.now();
  reachMatrix(netOfDocument(doc), { hops: false });
  const inProcessNoHops = performance.now() - t1;

  const net = netOfDocument(doc);
  const target = resolveTarget(net, `s${N - 1}`)!;
  const c0 = performance.now();
  trace(net, 's0', target);
  const whyCold = performance.now() - c0;
  const whys = Array.from({ length: 200 }, () => {
    const t = performance.now();
    trace(net, 's0', target);
    return performance.now() - t;
  });

  const bare = measure([node, '-e', '0']);
  const validate = measure([node, cliPath, 'validate', file]);
  const reachText = measure([node, cliPath, 'reach', file]);
  const reach = measure([node, cliPath, 'reach', file, '--format', 'json']);
  const why = measure([node, cliPath, 'why', 's0', `s${N - 1}`, file]);
  const ok = rows.filter((r) => r.predicted === 'ok').length;

  console.log(`design: ${N + 1} namespaces (${LANS} LANs on bridges in a core router), ${rows.length} pairs predicted (${ok} ok)`);
  console.log(`median of ${RUNS} runs, whole process start to exit:`);
  console.log(`  node -e 0 (baseline)                 ${bare.toFixed(0).padStart(6)} ms`);
  console.log(`  netns-studio validate FILE (baseline)${validate.toFixed(0).padStart(6)} ms`);
  console.log(`  netns-studio reach FILE (text)       ${reachText.toFixed(0).padStart(6)} ms   ${(reachText / bare).toFixed(1)}× node -e 0, +${(reachText - validate).toFixed(0)} ms over validate (${(reachText / validate).toFixed(2)}×)`);
  console.log(`  netns-studio reach FILE --format json${reach.toFixed(0).padStart(6)} ms   ${(reach / bare).toFixed(1)}× node -e 0, +${(reach - validate).toFixed(0)} ms over validate (${(reach / validate).toFixed(2)}×)`);
  console.log(`  netns-studio why s0 s${N - 1} FILE        ${why.toFixed(0).padStart(6)} ms   ${(why / bare).toFixed(1)}× node -e 0, +${(why - validate).toFixed(0)} ms over validate (${(why / validate).toFixed(2)}×)`);
  console.log(`  analysis alone, in process: matrix with every hop ${inProcess.toFixed(0)} ms (${((inProcess * 1000) / rows.length).toFixed(1)} µs a pair), verdicts only ${inProcessNoHops.toFixed(0)} ms`);
  console.log(`  analysis alone, in process: one why s0 → s${N - 1}: first ${whyCold.toFixed(2)} ms (network already built), then median ${median(whys).toFixed(3)} ms`);
  console.log(`load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (2 cores shared)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
