/**
 * bench:apply — a star of 100 and 500 namespaces (each: lo up, a veth to a host
 * bridge, an address, a default route) built and removed three ways in one run,
 * inside a sandbox: a shell script of one `ip` per command, the exported script,
 * and our apply/destroy. Prints a table with ratios against one-ip-per-command,
 * then where the time of the largest apply and destroy went.
 *
 * What made apply fast (helper/apply): the host's lines as a few `ip -batch`
 * chunks; every namespace configured by ONE process that enters each in turn
 * (./netlink-lanes.pl) instead of one `ip -n` per namespace; namespaces
 * configured on the other core while the host's next chunk runs; destroy deletes
 * namespaces (their veths and what we set on them go along) instead of undoing
 * every step.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:apply skipped: ${skip}`);
  process.exit(0);
}
const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);
/** --only-script: time the one-ip-per-command script and the exported one, not apply */
const onlyScript = process.argv.includes('--only-script');
const inner = fileURLToPath(new URL('./apply-inner.ts', import.meta.url));
const rows: Record<string, number | string | boolean>[] = [];
/** where the time of the largest apply and destroy went (the pipeline's NETNS_STUDIO_DEBUG_TIMING trace) */
let profile: string[] = [];
for (const n of sizes.length ? sizes : [100, 500]) {
  await withSandbox('bench', async (sb) => {
    const env = { ...process.env, NETNS_STUDIO_DEBUG_TIMING: '1' };
    const r = spawnSync(
      'nsenter',
      [`--net=/run/netns/${sb.hostNs}`, process.execPath, '--import', 'tsx', inner, sb.prefix, String(n), ...(onlyScript ? ['--only-script'] : [])],
      { encoding: 'utf8', env, maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) throw new Error(`bench failed (exit ${r.status}, signal ${r.signal}, ${r.error?.message ?? ''}): ${r.stderr}`);
    rows.push(JSON.parse(r.stdout.trim().split('\n').at(-1)!));
    const lines = r.stderr.split('\n');
    const from = lines.indexOf('## apply');
    const to = lines.indexOf('## end');
    if (from >= 0 && to > from) profile = [`N = ${n}:`, ...lines.slice(from, to).map((l) => (l.startsWith('## ') ? `${l.slice(3)}:` : l))];
  });
}
const s = (ms: unknown) => (typeof ms === 'number' ? (ms / 1000).toFixed(2) : '-');
const x = (base: unknown, v: unknown) => (typeof base === 'number' && typeof v === 'number' ? `${(base / v).toFixed(1)}x` : '-');
console.log('\nstar of N namespaces: seconds (speed-up vs one ip per command). plan+run = discover, plan and execute;');
console.log('verify = the fresh plan apply makes afterwards to confirm the host matches. Teardowns wait until the kernel has freed the veths.\n');
console.log(
  '| N | one ip per command: up / down | script of the plan: up / down | netns-studio apply: plan+run (+ verify) / destroy | apply, namespaces one by one: plan+run |',
);
console.log('| --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.n} | ${s(r.shellUp)} / ${s(r.shellDown)} | ${s(r.exportUp)} (${x(r.shellUp, r.exportUp)}) / ${s(r.exportDown)} (${x(r.shellDown, r.exportDown)}) | ${s(r.applyExec)} (${x(r.shellUp, r.applyExec)}) (+ ${typeof r.applyTotal === 'number' && typeof r.applyExec === 'number' ? s(r.applyTotal - r.applyExec) : '-'}) / ${s(r.destroy)} (${x(r.shellDown, r.destroy)}) | ${s(r.applySequentialExec)} (${x(r.shellUp, r.applySequentialExec)}) |`,
  );
  for (const k of ['exportKind', 'exportError', 'applyError']) if (r[k]) console.log(`  ${k}: ${r[k]}`);
  if (r.matches === false) console.log('  warning: the host did not match the document after apply');
}
if (profile.length) console.log(`\nwhere the time goes (ms since the previous line; lanes and fan-outs: ms since execution began):\n${profile.join('\n')}`);
