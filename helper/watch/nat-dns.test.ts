/**
 * The changes no rtnetlink event announces: resolv.conf in /etc/netns/NAME
 * (inotify, ./etc-netns.ts) and NAT rules (the nf_tables listener,
 * ./nft-listen.ts). Each must show as an event by itself, promptly, on the real
 * kernel through the real helper, with no other change to carry it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservedNamespace } from '../../shared/model/observed';
import { startSandboxHelper } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { run, runOk } from '../../testing/run';
import { perlAvailable } from '../discover/netlink';
import { watchEtcNetns } from './etc-netns';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';
import { until, waitUntil } from '../../testing/until';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping resolv.conf/NAT watch kernel tests: ${skip}`);
const natSkip = skip ?? (perlAvailable() ? undefined : 'perl is not installed: no nf_tables listener, NAT shows with the next kernel event');
if (!skip && natSkip) console.log(`# skipping the NAT listener test: ${natSkip}`);
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

const changed = (namespace: string, and: (ns: ObservedNamespace) => boolean) => (e: MirroredEvent) =>
  e.data.type === 'namespace-changed' && e.data.namespace === namespace && and(e.data.observed);

test('resolv.conf created, edited, replaced and removed: each a namespace-changed event, promptly', { skip, timeout: 60_000 }, async () => {
  await withSandbox('wdns', async (sb) => {
    await runOk(['ip', 'netns', 'add', sb.ns('a')]);
    const h = await startSandboxHelper(sb);
    try {
      const mirror = new WatchMirror();
      await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => mirror.accept(e));
      await mirror.next((e) => e.data.type === 'resync', { what: 'first resync' });
      const dir = `/etc/netns/${sb.ns('a')}`;
      const file = `${dir}/resolv.conf`;
      const latencies: number[] = [];
      const step = async (what: string, pred: (ns: ObservedNamespace) => boolean, change: () => void) => {
        const from = mirror.count;
        const t0 = performance.now();
        change();
        const e = await mirror.next(changed('a', pred), { from, what, timeoutMs: 3000 });
        latencies.push(e.at - t0);
        return e;
      };
      const dnsOf = (e: MirroredEvent) => e.document.namespaces.find((n) => n.name === 'a')?.dns;

      // the directory and the file made at once (the directory's watch cannot exist before it)
      let e = await step(
        'resolv.conf created',
        (ns) => ns.resolvConf === 'nameserver 192.0.2.1\n',
        () => {
          mkdirSync(dir, { recursive: true });
          writeFileSync(file, 'nameserver 192.0.2.1\n');
        },
      );
      assert.deepEqual(dnsOf(e)?.nameservers, ['192.0.2.1']);
      e = await step(
        'resolv.conf edited',
        (ns) => ns.resolvConf?.includes('192.0.2.2') === true,
        () => writeFileSync(file, 'nameserver 192.0.2.2\nsearch lab\n'),
      );
      assert.deepEqual(dnsOf(e), { nameservers: ['192.0.2.2'], search: ['lab'] });
      await step(
        'resolv.conf replaced by rename (as editors save)',
        (ns) => ns.resolvConf === 'nameserver 192.0.2.3\n',
        () => {
          writeFileSync(`${dir}/.resolv.tmp`, 'nameserver 192.0.2.3\n');
          renameSync(`${dir}/.resolv.tmp`, file);
        },
      );
      e = await step(
        'resolv.conf removed',
        (ns) => ns.resolvConf === undefined,
        () => rmSync(file),
      );
      assert.equal(dnsOf(e), undefined);
      await step(
        'created again in the existing directory',
        (ns) => ns.resolvConf === 'nameserver 192.0.2.4\n',
        () => writeFileSync(file, 'nameserver 192.0.2.4\n'),
      );
      await step(
        'directory removed',
        (ns) => ns.resolvConf === undefined,
        () => rmSync(dir, { recursive: true }),
      );
      console.log(`# resolv.conf → event latency (ms): ${latencies.map((x) => x.toFixed(1)).join(', ')}`);
      assert.ok(Math.max(...latencies) < 1000, 'each within a second');
      assert.deepEqual(mirror.gaps, []);
      assert.equal(mirror.events.filter((x) => x.data.type === 'resync').length, 1, 'no resync after the first');
    } finally {
      await h.close();
    }
  });
});

test(
  'a NAT rule added or deleted with iptables is an event by itself (nf_tables listener), and one listener serves every namespace',
  { skip: natSkip, timeout: 60_000 },
  async (t) => {
    await withSandbox('wnat', async (sb) => {
      const a = sb.ns('a');
      const b = sb.ns('b');
      await runOk(['ip', 'netns', 'add', a]);
      await runOk(['ip', 'netns', 'add', b]);
      const probe = await run(['nsenter', `--net=/run/netns/${a}`, 'iptables', '-t', 'nat', '-S']);
      if (probe.code !== 0) {
        const reason = `iptables does not run here (${probe.stderr.trim()}): NAT listener test skipped`;
        console.log(`# ${reason}`);
        t.skip(reason);
        return;
      }
      const h = await startSandboxHelper(sb);
      try {
        const mirror = new WatchMirror();
        await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => mirror.accept(e));
        await mirror.next((e) => e.data.type === 'resync', { what: 'first resync' });
        const listeners = () => readChildren(h.hello!.pid).filter((c) => c.includes('nft-listen.pl'));
        assert.equal(listeners().length, 1, 'one nf_tables listener for all namespaces');
        const latencies: number[] = [];
        const step = async (ns: string, what: string, pred: (o: ObservedNamespace) => boolean, argv: string[]) => {
          const from = mirror.count;
          const t0 = performance.now();
          await runOk(['nsenter', `--net=/run/netns/${sb.ns(ns)}`, ...argv]);
          const e = await mirror.next(changed(ns, pred), { from, what, timeoutMs: 3000 });
          latencies.push(e.at - t0);
          return e;
        };
        const masq = (o: ObservedNamespace) => !!o.natLines?.some((l) => l.includes('MASQUERADE'));
        const e = await step('a', 'masquerade added in a', masq, ['iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '10.77.0.0/24', '-j', 'MASQUERADE']);
        assert.ok(
          e.data.type === 'namespace-changed' &&
            e.document.namespaces.find((n) => n.name === 'a')?.nat.some((r) => r.action === 'masquerade' && r.source === '10.77.0.0/24'),
        );
        await step('b', 'dnat added in b (no nat table before)', (o) => !!o.natLines?.some((l) => l.includes('DNAT')), [
          'iptables',
          '-t',
          'nat',
          '-A',
          'PREROUTING',
          '-p',
          'tcp',
          '--dport',
          '8080',
          '-j',
          'DNAT',
          '--to-destination',
          '10.77.0.2:80',
        ]);
        await step('a', 'masquerade deleted in a', (o) => !masq(o), ['iptables', '-t', 'nat', '-D', 'POSTROUTING', '-s', '10.77.0.0/24', '-j', 'MASQUERADE']);
        await step('host', "the sandbox host (the listener's own namespace)", masq, [
          'iptables',
          '-t',
          'nat',
          '-A',
          'POSTROUTING',
          '-o',
          'lo',
          '-j',
          'MASQUERADE',
        ]);
        console.log(`# iptables → event latency (ms): ${latencies.map((x) => x.toFixed(1)).join(', ')}`);
        assert.ok(Math.max(...latencies) < 1000, 'each within a second');
        // a filter-table change re-reads NAT too, but an unchanged NAT table sends nothing
        const from = mirror.count;
        await runOk(['nsenter', `--net=/run/netns/${a}`, 'iptables', '-A', 'INPUT', '-j', 'ACCEPT']);
        // barrier: two NAT changes in b, each an event of its own (rounds run one at a time, events go out in
        // order); any event the filter change caused is sent before the second of them
        const inB = (net: string) => (o: ObservedNamespace) => !!o.natLines?.some((l) => l.includes(net));
        for (const net of ['10.88.0.0/24', '10.89.0.0/24']) {
          const at = mirror.count;
          await runOk(['nsenter', `--net=/run/netns/${b}`, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', net, '-j', 'MASQUERADE']);
          await mirror.next(changed('b', inB(net)), { from: at, what: `barrier NAT rule ${net} in b`, timeoutMs: 3000 });
        }
        assert.deepEqual(
          mirror.events.slice(from).map((x) => (x.data.type === 'namespace-changed' ? x.data.namespace : x.data.type)),
          ['b', 'b'],
          'no event when the NAT rules did not change',
        );

        // a killed listener is started again, followed by a resync; it hears changes afterwards
        const [first] = readChildPids(h.hello!.pid, 'nft-listen.pl');
        process.kill(first, 'SIGKILL');
        await mirror.next((x) => x.data.type === 'resync', { from, what: 'resync after the listener restarted' });
        const again = readChildPids(h.hello!.pid, 'nft-listen.pl');
        assert.equal(again.length, 1);
        assert.notEqual(again[0], first);
        await step('b', 'heard after the restart', (o) => !o.natLines?.length, ['iptables', '-t', 'nat', '-F']);
        assert.deepEqual(mirror.gaps, []);
      } finally {
        await h.close();
      }
    });
  },
);

test('the /etc/netns watch waits for the directory, follows new NAME directories, and starts over when it goes', { timeout: 20_000 }, async () => {
  const base = mkdtempSync(join(tmpdir(), 'etc-netns-'));
  const dir = join(base, 'netns');
  const seen: string[] = [];
  const w = watchEtcNetns((n) => seen.push(n), dir);
  const waitFor = async (name: string, what: string) => {
    assert.ok(await until(() => seen.includes(name), 1000, 10), what);
    seen.length = 0;
  };
  // the watch is armed on the parent again (a directory made before that would go unseen): our inotify watches
  const parentWatched = () => inotifyInodes().has(statSync(base).ino.toString(16));
  try {
    await waitUntil('the watch on the parent', parentWatched, 1000);
    mkdirSync(join(dir, 'a'), { recursive: true });
    writeFileSync(join(dir, 'a', 'resolv.conf'), 'nameserver 192.0.2.1\n');
    await waitFor('a', 'a directory made with its parent');
    writeFileSync(join(dir, 'a', 'resolv.conf'), 'nameserver 192.0.2.9\n');
    await waitFor('a', 'a file edited');
    rmSync(dir, { recursive: true });
    await waitFor('a', 'the whole directory removed');
    await waitUntil('the watch back on the parent', parentWatched, 1000);
    mkdirSync(join(dir, 'b'), { recursive: true });
    await waitFor('b', 'made again, watched again');
    writeFileSync(join(dir, 'b', 'resolv.conf'), 'x');
    await waitFor('b', 'b file written');
  } finally {
    w.close();
    rmSync(base, { recursive: true, force: true });
  }
});

/** The inodes (hex, as fdinfo writes them) this process's inotify instances watch. */
function inotifyInodes(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fdinfo')) {
    try {
      for (const m of readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').matchAll(/^inotify wd:\d+ ino:([0-9a-f]+) /gm)) out.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return out;
}

function readChildPids(pid: number, needle: string): number[] {
  return readChildrenWithPid(pid)
    .filter((c) => c.cmd.includes(needle))
    .map((c) => c.pid);
}
function readChildren(pid: number): string[] {
  return readChildrenWithPid(pid).map((c) => c.cmd);
}
function readChildrenWithPid(pid: number): { pid: number; cmd: string }[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map((p) => ({
        pid: Number(p),
        cmd: readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(),
      }));
  } catch {
    return [];
  }
}
