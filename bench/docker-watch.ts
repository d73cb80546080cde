/**
 * bench:docker-watch — how soon watch sees a container start, stop and `network
 * connect` (issue 11: within 500 ms). A real dockerd inside a sandbox
 * (testing/docker-daemon.ts), a real helper subscribed with unnamed namespaces;
 * each operation is timed from the moment its `docker` command returned (the
 * runtime says it is done) until the watch event that shows it: the container's
 * namespace added with its name, removed, or its new address. Baseline in the
 * same run: how long the `docker` command itself took (what a person waits anyway).
 *
 *   npm run bench:docker-watch [-- ROUNDS]
 */
import { loadavg } from 'node:os';
import type { ObservedNamespace } from '../shared/model/observed';
import { startSandboxHelper } from '../testing/discover-support';
import { dockerSkipReason, IMAGE, startDockerd } from '../testing/docker-daemon';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { WatchMirror } from '../testing/watch-mirror';

const skip = kernelSkipReason() ?? dockerSkipReason();
if (skip) {
  console.log(`bench:docker-watch skipped: ${skip}`);
  process.exit(0);
}
const ROUNDS = Number(process.argv[2] ?? 5);
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] : NaN);
const named = (ns: ObservedNamespace | undefined, c: string) => !!ns?.identity?.containers?.some((x) => x.name === c);

const seen: Record<string, number[]> = { start: [], stop: [], connect: [] };
const cmd: Record<string, number[]> = { start: [], stop: [], connect: [] };
await withSandbox('dwatch', async (sb) => {
  const d = await startDockerd(sb);
  const h = await startSandboxHelper(sb);
  try {
    await d.dockerOk(['network', 'create', '--subnet', '172.31.0.0/24', 'lan']);
    const m = new WatchMirror();
    await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true, unnamed: true }, (e) => m.accept(e));
    await m.next((e) => e.data.type === 'resync', { what: 'resync' });
    const find = (c: string) => [...m.namespaces.values()].find((n) => named(n, c));
    /** run the docker command, then wait until the mirror shows `done` */
    const timed = async (op: string, args: string[], done: () => boolean) => {
      const t0 = performance.now();
      await d.dockerOk(args);
      const t1 = performance.now();
      // the mirror applies an event before it asks its waiters: `done` then sees the new state (0 when seen before the command returned)
      const at = done() ? t1 : (await m.next(() => done(), { from: m.count, what: op, timeoutMs: 10_000 })).at;
      cmd[op].push(t1 - t0);
      seen[op].push(at - t1);
    };
    for (let i = 0; i < ROUNDS; i++) {
      const c = `c${i}`;
      await timed('start', ['run', '-d', '--name', c, IMAGE, '/bin/sleep', '600'], () => !!find(c));
      await timed('connect', ['network', 'connect', 'lan', c], () => !!find(c)?.links.some((l) => l.addresses.some((a) => a.cidr.startsWith('172.31.0.'))));
      const name = find(c)!.name;
      await timed('stop', ['stop', '-t', '0', c], () => !m.namespaces.has(name));
      await d.dockerOk(['rm', c]);
    }
  } finally {
    await h.close();
    await d.stop();
  }
});
console.log(
  `\n${ROUNDS} rounds; load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
console.log('| operation | docker command (baseline) p50 / max | command returned → watch shows it p50 / p95 / max | ratio p95 / command p50 |');
console.log('| --- | --- | --- | --- |');
for (const op of ['start', 'connect', 'stop']) {
  const s = seen[op];
  const c = cmd[op];
  console.log(
    `| ${op} | ${pct(c, 50).toFixed(0)} / ${Math.max(...c).toFixed(0)} ms | ${pct(s, 50).toFixed(0)} / ${pct(s, 95).toFixed(0)} / ${Math.max(...s).toFixed(0)} ms | ${(pct(s, 95) / pct(c, 50)).toFixed(2)} |`,
  );
}
