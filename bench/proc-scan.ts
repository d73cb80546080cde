/**
 * bench:proc-scan — what it costs to notice unnamed namespaces that come and go
 * without any link change (helper/watch/proc-scan.ts), and what reading them
 * costs a whole `discover`, with 0, 100 and 300 extra `unshare -n sleep`
 * namespaces in a sandbox:
 *   - one scan (readlink of every /proc/PID/ns/net + the mount table), median of
 *     50, beside the least any /proc-based watch pays: one readdir of /proc;
 *     and its share of one core at the scan period;
 *   - the whole CLI process `netns-studio discover --format json --observed`
 *     (start to exit, best of 3) with every namespace against `--named-only`.
 *
 *   npm run bench:proc-scan [-- 0 100 300]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { scanSignature, SCAN_MS } from '../helper/watch/proc-scan';
import { ownInode } from '../helper/discover/targets';
import { cliPath } from '../testing/cli-runner';
import { run } from '../testing/run';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:proc-scan skipped: ${skip}`);
  process.exit(0);
}
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x >= 0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeCli(wrap: string[], args: string[]): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await run([...wrap, process.execPath, cliPath, ...args], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`discover failed: ${r.stderr.slice(0, 400)}`);
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

await withSandbox('procscan', async (sb) => {
  const kids: ChildProcess[] = [];
  const rows: string[] = [];
  try {
    for (const n of sizes.length ? sizes : [0, 100, 300]) {
      while (kids.length < n) kids.push(spawn('nsenter', [`--net=/run/netns/${sb.hostNs}`, 'unshare', '-n', 'sleep', '600'], { stdio: 'ignore' }));
      // wait until each is in its own namespace
      for (const k of kids) {
        for (let i = 0; i < 500; i++) {
          const r = await run(['readlink', `/proc/${k.pid}/ns/net`]);
          if (r.stdout.trim() && (await run(['cat', `/proc/${k.pid}/comm`])).stdout.trim() === 'sleep') break;
          await new Promise((res) => setTimeout(res, 5));
        }
      }
      const own = ownInode();
      const scans: number[] = [];
      const dirs: number[] = [];
      for (let i = 0; i < 50; i++) {
        let t0 = performance.now();
        scanSignature(own);
        scans.push(performance.now() - t0);
        t0 = performance.now();
        readdirSync('/proc');
        dirs.push(performance.now() - t0);
      }
      const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).length;
      const wrap = ['nsenter', `--net=/run/netns/${sb.hostNs}`];
      const all = await timeCli(wrap, ['discover', '--format', 'json', '--observed', '--no-nat']);
      const named = await timeCli(wrap, ['discover', '--format', 'json', '--observed', '--no-nat', '--named-only']);
      const scan = median(scans);
      rows.push(
        `| +${n} | ${procs} | ${scan.toFixed(2)} ms | ${median(dirs).toFixed(2)} ms | ${(scan / median(dirs)).toFixed(1)}× | ${((scan / SCAN_MS) * 100).toFixed(2)} % | ${all.toFixed(0)} ms | ${named.toFixed(0)} ms | ${(all / named).toFixed(2)}× |`,
      );
    }
  } finally {
    for (const k of kids) k.kill('SIGKILL');
  }
  console.log(
    `| unnamed namespaces | processes | one scan | readdir /proc (baseline) | ratio | CPU at ${SCAN_MS} ms | discover CLI, every namespace | --named-only (baseline) | ratio |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
});
