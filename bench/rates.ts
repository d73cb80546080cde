/**
 * Throughput sampling cost (issue 17): a sandbox with N namespaces, each with a
 * veth to the sandbox host (2·N links + loopbacks), read as the rates sampler reads
 * it (links-only netlink dump, helper/rates/sampler.ts) and, in the same run, as a
 * full netlink read of the same namespaces (what discover and a watch resync read:
 * the baseline). CPU per reading counts this process and its perl reader children
 * (/proc/PID/stat); the helper's share of one core follows from the adaptive interval.
 * Run: npm run bench:rates [-- 250]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { readNetlink } from '../helper/discover/netlink';
import { readAll } from '../helper/rates/sampler';
import { samplingInterval } from '../helper/rates/rates';

const TICK = 100; // USER_HZ
/** CPU ms of this process and its children still running (the perl readers) */
function cpuMs(): number {
  const self = process.cpuUsage();
  let kids = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      if (Number(f[1]) === process.pid) kids += ((Number(f[11]) + Number(f[12])) * 1000) / TICK;
    } catch {
      /* gone */
    }
  }
  return (self.user + self.system) / 1000 + kids;
}

async function time(runs: number, fn: () => Promise<unknown>) {
  await fn(); // the reader started
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await fn();
  return { wallMs: (performance.now() - t0) / runs, cpuMs: (cpuMs() - c0) / runs };
}

const skip = kernelSkipReason();
if (skip) console.log(`bench:rates skipped: ${skip}`);
else {
  const n = Number(process.argv[2] ?? 250);
  await withSandbox('brates', async (sb) => {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`netns add ${sb.prefix}n${i}`);
    await sb.inHost(['ip', '-batch', '-'], lines.join('\n') + '\n');
    const links: string[] = [];
    for (let i = 0; i < n; i++) links.push(`link add h${i} type veth peer name eth0 netns ${sb.prefix}n${i}`, `link set h${i} up`);
    await sb.inHost(['ip', '-batch', '-'], links.join('\n') + '\n');
    const paths = readdirSync('/run/netns')
      .filter((x) => x.startsWith(sb.prefix))
      .map((x) => `/run/netns/${x}`);
    const runs = 20;
    const count = (await readAll(sb.prefix)).size;
    const ours = await time(runs, () => readAll(sb.prefix));
    const base = await time(runs, () => readNetlink(paths));
    const interval = samplingInterval(count, ours.wallMs);
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`${n} namespaces, ${count} links read (load ${load})`);
    console.log(`| reading | wall ms | CPU ms | ratio (baseline/ours) |\n|---|---|---|---|`);
    console.log(`| rates sampler (links only) | ${ours.wallMs.toFixed(1)} | ${ours.cpuMs.toFixed(1)} | ${(base.cpuMs / ours.cpuMs).toFixed(2)}× CPU |`);
    console.log(`| baseline: full netlink read | ${base.wallMs.toFixed(1)} | ${base.cpuMs.toFixed(1)} | |`);
    console.log(
      `adaptive interval ${interval} ms → sampling costs ${((ours.cpuMs / interval) * 100).toFixed(2)} % of one core (a full read at that interval: ${((base.cpuMs / interval) * 100).toFixed(2)} %)`,
    );
  });
}
