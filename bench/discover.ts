/**
 * bench:discover — discovery time for a host of 100 and 500 namespaces (each: lo
 * up, a veth to a host bridge, an address, a default route), built fast with
 * `ip -batch` inside a sandbox, measured two ways in the same run:
 *   - baseline: a shell loop of `ip -j -n NS link/addr/route` per namespace (what a
 *     person would script), output discarded;
 *   - netns-studio: the `discover` request to a real helper process over stdio
 *     (wall time at the client, best of 3, after one warm-up), NAT tables read too;
 *   - and the two readers alone, in this process: `ip -j -batch` per namespace
 *     (the fallback) against the netlink reader (one perl process per stream).
 * Prints a table with the ratio, and checks discover saw every namespace and veth.
 *
 *   npm run bench:discover [-- 100 500]
 */
import { cpus, loadavg } from 'node:os';
import { startStdioHelper } from '../helper/client';
import { readTargets } from '../helper/discover/index';
import { namedTarget } from '../helper/discover/targets';
import { sandboxHelperWrap } from '../testing/discover-support';
import { kernelSkipReason, withSandbox, type Sandbox } from '../testing/sandbox';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:discover skipped: ${skip}`);
  process.exit(0);
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((x) => x > 0);

async function ok(p: Promise<{ code: number; stderr: string }>, what: string) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what} failed (${r.code}): ${r.stderr.slice(0, 500)}`);
}

/** The star: host batch (namespaces, bridge, veths) then one batch per namespace, two xargs streams. */
async function build(sb: Sandbox, n: number) {
  const ns = (i: number) => sb.ns(`n${i}`);
  const host = ['link add name br0 type bridge', 'addr add 10.100.0.1/16 dev br0', 'link set dev br0 up'];
  for (let i = 0; i < n; i++) host.push(`netns add ${ns(i)}`);
  for (let i = 0; i < n; i++) {
    host.push(`link add name v${i} type veth peer name eth0 netns ${ns(i)}`, `link set dev v${i} master br0`, `link set dev v${i} up`);
  }
  await ok(sb.inHost(['ip', '-batch', '-'], host.join('\n') + '\n'), 'host batch');
  const inner = ['link set dev lo up', 'link set dev eth0 up', 'addr add 10.100.{a}.{b}/16 dev eth0', 'route add default via 10.100.0.1 dev eth0'];
  // one `ip -n NS -batch` per namespace; the address differs per namespace, so feed each its own lines via xargs + sh -c would need a shell: use a small script file per namespace instead
  const script = Array.from({ length: n }, (_, i) => {
    const a = 1 + Math.floor((i + 2) / 250);
    const b = ((i + 2) % 250) + 1;
    const lines = inner.map((l) => l.replace('{a}', String(a)).replace('{b}', String(b))).join('\\n');
    return `printf '${lines}\\n' | ip -n ${ns(i)} -batch -`;
  });
  // building is not what is measured: a shell is fine here
  await ok(sb.inHost(['bash', '-euc', script.join('\n')]), 'namespace batches');
}

/** The shell loop a person would write, run inside the sandbox host. */
function shellLoop(sb: Sandbox) {
  return sb.inHost([
    'bash',
    '-euc',
    `for ns in $(ls /run/netns | grep '^${sb.prefix}n'); do ip -j -n "$ns" link show; ip -j -n "$ns" addr show; ip -j -n "$ns" route show; done > /dev/null`,
  ]);
}

interface Row {
  n: number;
  shellMs: number;
  /** the same namespaces read in-process by each reader (no document, no transport) */
  ipReaderMs: number;
  netlinkReaderMs: number;
  discoverMs: number[];
  helperMs: number;
  namespaces: number;
  veths: number;
}

const rows: Row[] = [];
for (const n of sizes.length ? sizes : [100, 500]) {
  await withSandbox('bdisc', async (sb) => {
    const t0 = performance.now();
    await build(sb, n);
    console.log(`# built ${n} namespaces in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const h = await startStdioHelper({ wrap: sandboxHelperWrap(sb) });
    try {
      await h.request('discover', { onlyPrefix: sb.prefix }); // warm-up (helper's own caches, page cache)
      const times: number[] = [];
      let last;
      for (let k = 0; k < 3; k++) {
        const s = performance.now();
        last = await h.request('discover', { onlyPrefix: sb.prefix });
        times.push(performance.now() - s);
      }
      const s0 = performance.now();
      await ok(shellLoop(sb), 'shell loop');
      const shellMs = performance.now() - s0;
      const targets = [sb.hostNs, ...Array.from({ length: n }, (_, i) => sb.ns(`n${i}`))].map((x) => namedTarget(x)!);
      const timed = async (reader: 'ip' | 'auto') => {
        const t = performance.now();
        const got = await readTargets(targets, { reader });
        if (got.length !== n + 1) throw new Error(`${reader} reader saw ${got.length} of ${n + 1} namespaces`);
        return performance.now() - t;
      };
      await timed('auto');
      const ipReaderMs = await timed('ip');
      const netlinkReaderMs = Math.min(await timed('auto'), await timed('auto'), await timed('auto'));
      const named = last!.observed.namespaces.filter((x) => x.name.startsWith(`${sb.prefix}n`)).length;
      rows.push({
        n,
        shellMs,
        ipReaderMs,
        netlinkReaderMs,
        discoverMs: times,
        helperMs: last!.observed.durationMs,
        namespaces: named,
        veths: last!.document.veths.length,
      });
    } finally {
      await h.close();
    }
  });
}

const s = (ms: number) => (ms / 1000).toFixed(3);
// the machine is shared: say how busy it was, figures from a loaded machine read slower
console.log(
  `\n${cpus().length} cores, load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} (1/5/15 min) at the end of the run`,
);
console.log('\ndiscover of a star of N namespaces (lo, a veth to a host bridge, an address, a route each): seconds\n');
console.log(
  '| N | shell loop `ip -j -n NS link/addr/route` | netns-studio discover (best of 3; inside the helper) | ratio | readers alone, in-process: ip -batch per ns / netlink (perl, best of 3) | found namespaces / veths |',
);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  const best = Math.min(...r.discoverMs);
  console.log(
    `| ${r.n} | ${s(r.shellMs)} | ${s(best)} (${s(r.helperMs)}) | ${(r.shellMs / best).toFixed(1)}x faster | ${s(r.ipReaderMs)} / ${s(r.netlinkReaderMs)} (${(r.ipReaderMs / r.netlinkReaderMs).toFixed(1)}x) | ${r.namespaces} / ${r.veths} |`,
  );
  if (r.namespaces !== r.n || r.veths !== r.n) console.log(`  warning: expected ${r.n} namespaces and ${r.n} veths`);
}
const big = rows.find((r) => r.n === 500);
if (big) console.log(`\ntarget: 500 namespaces under 0.5 s: ${Math.min(...big.discoverMs) < 500 ? 'met' : 'missed'}`);
