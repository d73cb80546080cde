/**
 * bench:helper-link — what the shells' HelperLink + session add on top of the raw
 * helper client (helper/client.ts), with the real helper in a sandbox holding
 * scenario 04 (three namespaces, two veths, NAT):
 *
 *   - discover: the session's `discover` (link, scope, mapping into HostSnapshot)
 *     vs `client.request('discover')` on a second helper — median of 30;
 *   - watch latency: `ip link set … down` until the link-down event reaches the
 *     session (mapped WatchEvent) vs a raw client subscription — median of 10;
 *   - start: the link connecting (spawn + hello) vs startStdioHelper alone.
 *
 * Run as root: npm run bench:helper-link (or node --import tsx bench/helper-link.ts).
 */
import { performance } from 'node:perf_hooks';
import { startStdioHelper, type HelperClient } from '../helper/client';
import { up04 } from '../e2e/reference';
import { createSession } from '../shell-core/session';
import { createStdioHelperLink } from '../shell-core/stdio-helper-link';
import { runOk } from '../testing/run';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:helper-link skipped: ${skip}`);
  process.exit(0);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;

/** true when a watch event (raw data or mapped) shows veth-ns1 down */
function showsDown(doc: unknown, ns: string): boolean {
  const d = doc as { veths?: { ends: { namespace: string; name: string; up: boolean }[] }[] } | undefined;
  return Boolean(d?.veths?.some((v) => v.ends.some((e) => e.namespace === ns && e.name === 'veth-ns1' && e.up === false)));
}

await withSandbox('blink', async (sb) => {
  await up04(sb);
  const wrap = ['nsenter', `--net=/run/netns/${sb.hostNs}`];
  const scope = { onlyPrefix: sb.prefix };
  const ns1 = sb.ns('ns1');

  // start
  const rawStart: number[] = [];
  const linkStart: number[] = [];
  for (let i = 0; i < 5; i++) {
    let t = performance.now();
    const c = await startStdioHelper({ wrap });
    rawStart.push(performance.now() - t);
    await c.close();
    const l = createStdioHelperLink({ wrap, onlyPrefix: sb.prefix, log: () => {} });
    t = performance.now();
    await l.connect();
    linkStart.push(performance.now() - t);
    await l.close();
  }

  const raw: HelperClient = await startStdioHelper({ wrap });
  const link = createStdioHelperLink({ wrap, onlyPrefix: sb.prefix, log: () => {} });
  let onWatch: ((e: unknown) => void) | undefined;
  const session = createSession(link, (name, payload) => {
    if (name === 'watchEvent') onWatch?.((payload as { event: unknown }).event);
  });
  await link.connect();
  try {
    // discover
    const rawD: number[] = [];
    const linkD: number[] = [];
    for (let i = 0; i < 30; i++) {
      let t = performance.now();
      await raw.request('discover', scope);
      rawD.push(performance.now() - t);
      t = performance.now();
      const r = (await session.handle('discover', {})) as { ok: boolean };
      if (!r.ok) throw new Error(`discover failed: ${JSON.stringify(r)}`);
      linkD.push(performance.now() - t);
    }

    // watch latency
    let onRaw: ((e: unknown) => void) | undefined;
    const sub = await raw.subscribe('watch.subscribe', scope, (e) => onRaw?.(e.data));
    await session.handle('watchStart', { subId: 'bench' });
    await new Promise((r) => setTimeout(r, 500));
    const rawW: number[] = [];
    const linkW: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const rawSeen = new Promise<number>(
        (resolve) => (onRaw = (d) => showsDown((d as { document?: unknown }).document, ns1) && resolve(performance.now() - t)),
      );
      const linkSeen = new Promise<number>(
        (resolve) => (onWatch = (e) => showsDown((e as { document?: unknown }).document, ns1) && resolve(performance.now() - t)),
      );
      await runOk(['ip', '-n', ns1, 'link', 'set', 'dev', 'veth-ns1', 'down']);
      const [a, b] = await Promise.all([rawSeen, linkSeen]);
      rawW.push(a);
      linkW.push(b);
      onRaw = onWatch = undefined;
      await runOk(['ip', '-n', ns1, 'link', 'set', 'dev', 'veth-ns1', 'up']);
      await new Promise((r) => setTimeout(r, 300));
    }
    await sub.unsubscribe();

    console.log('\nhelper link vs raw helper client (same machine, same run; medians). ratio = link / raw\n');
    console.log('| measure | raw client | HelperLink + session | ratio |');
    console.log('| --- | --- | --- | --- |');
    const row = (what: string, a: number[], b: number[]) =>
      console.log(`| ${what} | ${ms(median(a))} | ${ms(median(b))} | ${(median(b) / median(a)).toFixed(2)} |`);
    row('start (spawn + hello), n=5', rawStart, linkStart);
    row('discover scenario 04, n=30', rawD, linkD);
    row('link down → watch event, n=10', rawW, linkW);
  } finally {
    session.close();
    await link.close();
    await raw.close();
  }
});
