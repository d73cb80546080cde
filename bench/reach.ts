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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportYaml } from '../shared/export/yaml';
import { Topology } from '../shared/model/schema';
import { netOfDocument } from '../shared/reach/from-document';
import { reachMatrix, resolveTarget } from '../shared/reach/matrix';
import { trace } from '../shared/reach/trace';
import { cliPath, projectRoot } from '../testing/cli-runner';
import { LANS, lanDocument } from './reach-design';

const N = Number(process.env.REACH_BENCH_NAMESPACES ?? 200);
const RUNS = Number(process.env.REACH_BENCH_RUNS ?? 5);
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);

/** CPU time (user + system) of the children this process has waited for, from /proc/self/stat (cutime, cstime). */
function childCpuMs(): number {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * TICK_MS;
}

/** Wall time and CPU time of one run: on a loaded machine the CPU time is the steadier figure. */
function timeProcess(argv: string[]): { wall: number; cpu: number } {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd: projectRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0 && r.status !== 2) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: childCpuMs() - c0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Timed {
  wall: number;
  cpu: number;
}

function measure(argv: string[]): Timed {
  timeProcess(argv); // warm the file cache
  const runs = Array.from({ length: RUNS }, () => timeProcess(argv));
  return { wall: median(runs.map((r) => r.wall)), cpu: median(runs.map((r) => r.cpu)) };
}

const fmt = (t: Timed, bare: Timed, validate?: Timed) =>
  `${t.wall.toFixed(0).padStart(6)} ms wall ${t.cpu.toFixed(0).padStart(6)} ms CPU` +
  (validate
    ? `   CPU ${(t.cpu / bare.cpu).toFixed(1)}× node -e 0, +${(t.cpu - validate.cpu).toFixed(0)} ms over validate (${(t.cpu / validate.cpu).toFixed(2)}×)`
    : '');

const dir = mkdtempSync(join(tmpdir(), 'nss-reach-bench-'));
try {
  const doc = Topology.parse(lanDocument(N));
  const file = join(dir, 'lans.yaml');
  writeFileSync(file, exportYaml(doc));
  const node = process.execPath;

  reachMatrix(netOfDocument(doc)); // JIT warm-up, as a second question in the app would find it
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  const rows = reachMatrix(netOfDocument(doc));
  const c1 = process.cpuUsage(u0);
  const inProcess = performance.now() - t0;
  const t1 = performance.now();
  const c2 = process.cpuUsage();
  reachMatrix(netOfDocument(doc), { hops: false });
  const c3 = process.cpuUsage(c2);
  const inProcessNoHops = performance.now() - t1;
  const cpuMs = (u: NodeJS.CpuUsage) => ((u.user + u.system) / 1000).toFixed(0);

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
  console.log(`  node -e 0 (baseline)                 ${fmt(bare, bare)}`);
  console.log(`  netns-studio validate FILE (baseline)${fmt(validate, bare)}`);
  console.log(`  netns-studio reach FILE (text)       ${fmt(reachText, bare, validate)}`);
  console.log(`  netns-studio reach FILE --format json${fmt(reach, bare, validate)}`);
  console.log(`  netns-studio why s0 s${N - 1} FILE        ${fmt(why, bare, validate)}`);
  console.log(
    `  target: whole reach process < 1 s on an idle machine; CPU time stands for it here (${reachText.cpu < 1000 ? 'met' : 'not met'}: ${reachText.cpu.toFixed(0)} ms CPU for the text matrix)`,
  );
  console.log(
    `  analysis alone, in process: matrix with every hop ${inProcess.toFixed(0)} ms wall / ${cpuMs(c1)} ms CPU (${((inProcess * 1000) / rows.length).toFixed(1)} µs a pair), verdicts only ${inProcessNoHops.toFixed(0)} ms wall / ${cpuMs(c3)} ms CPU`,
  );
  console.log(
    `  analysis alone, in process: one why s0 → s${N - 1}: first ${whyCold.toFixed(2)} ms (network already built), then median ${median(whys).toFixed(3)} ms`,
  );
  console.log(
    `load average while measuring: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')} (2 cores shared)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
