/**
 * bench:apply-cli — `netns-studio apply --yes` of a star of N namespaces (default
 * 300; each: lo up, a veth to a host bridge, an address, a default route), timed
 * from the CLI process's start to its exit, readiness wait included, beside a
 * shell script of one `ip` per command run in the same sandbox in the same run.
 * Also: the CLI with `--no-wait` (what the wait costs), and whether one ping
 * (`-c1 -W1`) from the last namespace to the bridge succeeds right after each
 * finished (the baseline script returns before the network is usable).
 *
 * Usage: npm run bench:apply-cli [-- N…]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';
import { cliPath } from '../testing/cli-runner';
import { starDocument, starName, starShellScript } from '../testing/star-topology';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:apply-cli skipped: ${skip}`);
  process.exit(0);
}
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);

/** Wall time of one process run inside the sandbox host namespace, from spawn to exit. */
function timedRun(sb: Sandbox, argv: string[]): { ms: number; status: number | null; stdout: string; stderr: string } {
  const t = performance.now();
  const r = spawnSync('nsenter', [`--net=/run/netns/${sb.hostNs}`, ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return { ms: performance.now() - t, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** One ping, one second, from the last namespace of the star to the bridge. */
function pingOnce(sb: Sandbox, n: number): boolean {
  return spawnSync('ip', ['netns', 'exec', starName(sb.prefix, n - 1), 'ping', '-n', '-q', '-c1', '-W1', '10.0.0.1'], { stdio: 'ignore' }).status === 0;
}

/** Until the kernel has freed the star (namespaces and host veth ends), so the next run starts clean. */
function waitClean(sb: Sandbox): void {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const nss = readdirSync('/run/netns').filter((x) => x.startsWith(sb.prefix) && x !== sb.hostNs).length;
    const links = spawnSync('ip', ['-n', sb.hostNs, '-br', 'link'], { encoding: 'utf8' }).stdout.trim().split('\n').length;
    if (nss === 0 && links <= 1) return;
    spawnSync('sleep', ['0.05']);
  }
  throw new Error('the sandbox did not come back clean');
}

interface Run {
  ms: number;
  ping: boolean;
}
interface Row {
  n: number;
  shell: Run[];
  cli: Run[];
  noWait: Run[];
  ready: string[];
  notReady: number;
}
/** Runs of each kind, alternated so load changes hit all three alike; the median is printed. */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const rows: Row[] = [];
for (const n of sizes.length ? sizes : [300]) {
  await withSandbox('bcli', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-bench-cli-'));
    try {
      const sh = starShellScript(sb.prefix, n);
      writeFileSync(join(dir, 'up.sh'), sh.up);
      writeFileSync(join(dir, 'down.sh'), sh.down);
      const file = join(dir, 'star.yaml');
      writeFileSync(file, stringify(starDocument(sb.prefix, n)));
      const state = ['--state-dir', join(dir, 'state')];
      const cli = (...args: string[]) => timedRun(sb, [process.execPath, cliPath, ...args]);
      const row: Row = { n, shell: [], cli: [], noWait: [], ready: [], notReady: 0 };
      for (let rep = 0; rep < REPS; rep++) {
        const shell = timedRun(sb, ['bash', join(dir, 'up.sh')]);
        if (shell.status !== 0) throw new Error(`shell script failed: ${shell.stderr.slice(0, 300)}`);
        row.shell.push({ ms: shell.ms, ping: pingOnce(sb, n) });
        timedRun(sb, ['bash', join(dir, 'down.sh')]);
        waitClean(sb);

        const apply = cli('apply', file, '--yes', ...state);
        if (apply.status !== 0 && apply.status !== 3) throw new Error(`apply failed (${apply.status}): ${apply.stderr.slice(0, 500)}`);
        row.cli.push({ ms: apply.ms, ping: pingOnce(sb, n) });
        if (apply.status === 3) row.notReady++;
        row.ready.push(/ready after (\d+\.\d+) s/.exec(apply.stdout)?.[1] ?? '?');
        if (cli('destroy', file, '--yes', ...state).status !== 0) throw new Error('destroy failed');
        waitClean(sb);

        const noWait = cli('apply', file, '--yes', '--no-wait', ...state);
        if (noWait.status !== 0) throw new Error(`apply --no-wait failed (${noWait.status}): ${noWait.stderr.slice(0, 500)}`);
        row.noWait.push({ ms: noWait.ms, ping: pingOnce(sb, n) });
        cli('destroy', file, '--yes', ...state);
        waitClean(sb);
      }
      rows.push(row);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
const median = (runs: Run[]) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)].ms;
const pings = (runs: Run[]) => `first ping ${runs.filter((r) => r.ping).length}/${runs.length} ok`;
const s = (ms: number) => (ms / 1000).toFixed(2);
console.log(
  `\nstar of N namespaces, whole process from start to exit, median of ${REPS} runs each (s); ratio = one-ip-per-command / CLI (>1: the CLI is faster).`,
);
console.log('first ping = one `ping -c1 -W1` from the last namespace to the bridge, right after the process exited.\n');
console.log('| N | one ip per command | netns-studio apply --yes (readiness wait included) | ratio | apply --no-wait | ratio |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const [a, b, c] = [median(r.shell), median(r.cli), median(r.noWait)];
  console.log(
    `| ${r.n} | ${s(a)} (${pings(r.shell)}) | ${s(b)} (${pings(r.cli)}) | ${(a / b).toFixed(2)}x | ${s(c)} (${pings(r.noWait)}) | ${(a / c).toFixed(2)}x |`,
  );
  console.log(`  readiness wait per run (s): ${r.ready.join(', ')}${r.notReady ? `; ${r.notReady} run(s) exited 3 (not all usable in time)` : ''}`);
}
