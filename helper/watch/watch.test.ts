/**
 * watch on the real kernel through the real helper protocol: a helper process
 * started inside the sandbox host (testing/discover-support.ts), subscribed with
 * the sandbox prefix, while the test changes namespaces, links, addresses and
 * routes with `ip`.
 */
import { sortedDocument } from './document';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ObservedNamespace } from '../../shared/model/observed';
import type { WatchData } from '../../shared/protocol/messages';
import type { HelperClient } from '../client';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { runOk } from '../../testing/run';
import { until } from '../../testing/until';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';
import { fingerprint } from './fingerprint';
import { stripHost } from '../discover/index';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping watch kernel tests: ${skip}`);
// the helpers started here (they inherit the environment) check each incremental document against a whole one and resync when they differ
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

async function watching(sb: Sandbox, h: HelperClient) {
  const mirror = new WatchMirror();
  const sub = await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => mirror.accept(e));
  return { mirror, sub };
}

const ip = (...argv: string[]) => runOk(['ip', ...argv]);
const nsOf = (e: MirroredEvent) => ('observed' in e.data && e.data.type !== 'resync' ? e.data.observed : undefined) as ObservedNamespace | undefined;
const link = (ns: ObservedNamespace | undefined, name: string) => ns?.links.find((l) => l.name === name);
const is =
  (type: WatchData['type'], namespace: string, and: (ns: ObservedNamespace | undefined) => boolean = () => true) =>
  (e: MirroredEvent) =>
    e.data.type === type && 'namespace' in e.data && e.data.namespace === namespace && and(nsOf(e));

/** Child processes of a pid (the helper's). */
function children(pid: number): { pid: number; cmd: string }[] {
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

test('creating, changing and deleting a namespace, a link, an address and a route each produce the right event', { skip, timeout: 60_000 }, async () => {
  await withSandbox('watch', async (sb) => {
    const h = await startSandboxHelper(sb);
    try {
      const { mirror, sub } = await watching(sb, h);
      const first = mirror.events[0];
      assert.equal(first?.data.type, 'resync', 'the first event is a resync');
      assert.equal(first.seq, 1);
      assert.ok(first.data.type === 'resync' && first.data.observed.namespaces.some((n) => n.name === 'host'));
      const a = sb.ns('a');
      const b = sb.ns('b');
      const step = async (what: string, pred: (e: MirroredEvent) => boolean, ...cmds: string[][]) => {
        const from = mirror.count;
        for (const c of cmds) await ip(...c);
        return mirror.next(pred, { from, what, timeoutMs: 5000 });
      };

      // namespace: create, change, delete
      let e = await step('namespace added', is('namespace-added', 'a'), ['netns', 'add', a]);
      assert.ok(e.data.type === 'namespace-added' && e.document.namespaces.some((n) => n.name === 'a'));
      await step(
        'namespace changed (lo up)',
        is('namespace-changed', 'a', (ns) => link(ns, 'lo')?.up === true),
        ['-n', a, 'link', 'set', 'dev', 'lo', 'up'],
      );
      await step('second namespace', is('namespace-added', 'b'), ['netns', 'add', b]);

      // link: create, change, delete (a veth across a and b: both sides hear it, peers resolved by nsid)
      e = await step(
        'veth created',
        is('namespace-changed', 'a', (ns) => link(ns, 'x0')?.peer?.namespace === 'b' && link(ns, 'x0')?.peer?.name === 'x1'),
        ['-n', a, 'link', 'add', 'name', 'x0', 'type', 'veth', 'peer', 'name', 'x1', 'netns', b],
      );
      await mirror.next(
        is('namespace-changed', 'b', (ns) => link(ns, 'x1')?.peer?.namespace === 'a'),
        { what: 'veth end in b' },
      );
      assert.ok(e.data.type === 'namespace-changed' && e.document.veths.length === 1);
      await step(
        'link changed (mtu, up)',
        is('namespace-changed', 'a', (ns) => link(ns, 'x0')?.mtu === 1400 && link(ns, 'x0')?.up === true),
        ['-n', a, 'link', 'set', 'dev', 'x0', 'mtu', '1400', 'up'],
      );
      await step(
        'peer renamed: the other side follows',
        is('namespace-changed', 'a', (ns) => link(ns, 'x0')?.peer?.name === 'y1'),
        ['-n', b, 'link', 'set', 'dev', 'x1', 'name', 'y1'],
      );
      await ip('-n', b, 'link', 'set', 'dev', 'y1', 'up');

      // address: create, change, delete
      await step(
        'address added',
        is('namespace-changed', 'a', (ns) => !!link(ns, 'x0')?.addresses.some((x) => x.cidr === '10.71.0.1/24')),
        ['-n', a, 'addr', 'add', '10.71.0.1/24', 'dev', 'x0'],
      );
      await step(
        'address changed',
        is(
          'namespace-changed',
          'a',
          (ns) =>
            link(ns, 'x0')
              ?.addresses.map((x) => x.cidr)
              .join() === '10.71.0.2/24',
        ),
        ['-n', a, 'addr', 'del', '10.71.0.1/24', 'dev', 'x0'],
        ['-n', a, 'addr', 'add', '10.71.0.2/24', 'dev', 'x0'],
      );

      // route: create, change, delete
      const route = (via: string) => (ns: ObservedNamespace | undefined) => !!ns?.routes.some((r) => r.dst === '10.72.0.0/24' && r.via === via);
      await step('route added', is('namespace-changed', 'a', route('10.71.0.254')), [
        '-n',
        a,
        'route',
        'add',
        '10.72.0.0/24',
        'via',
        '10.71.0.254',
        'dev',
        'x0',
      ]);
      await step('route changed', is('namespace-changed', 'a', route('10.71.0.253')), [
        '-n',
        a,
        'route',
        'replace',
        '10.72.0.0/24',
        'via',
        '10.71.0.253',
        'dev',
        'x0',
      ]);
      await step(
        'route deleted',
        is('namespace-changed', 'a', (ns) => !ns?.routes.some((r) => r.dst === '10.72.0.0/24')),
        ['-n', a, 'route', 'del', '10.72.0.0/24'],
      );
      await step(
        'address deleted',
        is('namespace-changed', 'a', (ns) => link(ns, 'x0')?.addresses.length === 0),
        ['-n', a, 'addr', 'del', '10.71.0.2/24', 'dev', 'x0'],
      );

      // NAT: heard by the nf_tables listener on its own (./nat-dns.test.ts); here it must also hold through the next kernel event
      const nat = await runOk(['nsenter', `--net=/run/netns/${a}`, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', 'x0', '-j', 'MASQUERADE']).then(
        () => true,
        () => false,
      );
      if (nat) {
        await step(
          'NAT rule seen with the next change',
          is('namespace-changed', 'a', (ns) => !!ns?.natLines?.some((l) => l.includes('MASQUERADE'))),
          ['-n', a, 'link', 'set', 'dev', 'x0', 'mtu', '1450'],
        );
      } else console.log('# iptables did not run here: NAT part skipped');

      // the sandbox host is `host`: its changes come as nsid "current"
      await step(
        'host link',
        is('namespace-changed', 'host', (ns) => !!link(ns, 'h0')),
        ['-n', sb.hostNs, 'link', 'add', 'name', 'h0', 'type', 'bridge'],
      );

      await step(
        'link deleted (both ends)',
        is('namespace-changed', 'a', (ns) => !link(ns, 'x0')),
        ['-n', a, 'link', 'del', 'dev', 'x0'],
      );
      await mirror.next(
        is('namespace-changed', 'b', (ns) => !link(ns, 'y1')),
        { what: 'veth end gone from b' },
      );
      e = await step('namespace deleted', is('namespace-removed', 'b'), ['netns', 'del', b]);
      assert.ok(e.data.type === 'namespace-removed' && !e.document.namespaces.some((n) => n.name === 'b'));

      assert.deepEqual(mirror.gaps, [], 'sequence numbers follow each other');
      assert.equal(mirror.events.filter((x) => x.data.type === 'resync').length, 1, 'no resync after the first');
      const helperPid = h.hello!.pid;
      assert.equal(children(helperPid).filter((c) => c.cmd.includes('monitor')).length, 1, 'one kernel monitor');
      await sub.unsubscribe();
      await until(() => children(helperPid).filter((c) => c.cmd.includes('monitor')).length === 0, 5000);
      assert.equal(children(helperPid).filter((c) => c.cmd.includes('monitor')).length, 0, 'the monitor stops with the last subscription');
      await assert.rejects(h.request('watch.unsubscribe', { subscription: sub.id }), (err: { code?: string }) => err.code === 'unknown-subscription');
    } finally {
      await h.close();
    }
  });
});

test('a burst of 1000 changes ends in a state equal to a fresh discover', { skip, timeout: 120_000 }, async () => {
  await withSandbox('wburst', async (sb) => {
    const names = ['n0', 'n1', 'n2', 'n3'].map(sb.ns);
    for (const n of names) await ip('netns', 'add', n);
    const h = await startSandboxHelper(sb);
    try {
      const { mirror } = await watching(sb, h);
      const from = mirror.count;
      // 250 commands per namespace, run in parallel: links made, addressed, changed and some removed,
      // routes added and replaced, plus namespaces coming and going meanwhile
      const batches = names.map((n, k) => {
        const lines: string[] = [];
        for (let i = 0; i < 25; i++) {
          lines.push(`link add name v${i} type veth peer name w${i}`);
          lines.push(`link set dev v${i} up`, `link set dev w${i} up`);
          lines.push(`addr add 10.${80 + k}.${i}.1/24 dev v${i}`, `addr add 10.${80 + k}.${i}.2/24 dev w${i}`);
          lines.push(`link set dev v${i} mtu ${1300 + i}`);
          lines.push(`route add 10.${90 + k}.${i}.0/24 via 10.${80 + k}.${i}.2 dev v${i}`);
          lines.push(`route replace 10.${90 + k}.${i}.0/24 via 10.${80 + k}.${i}.3 dev v${i}`);
          if (i % 3 === 0) lines.push(`link del dev v${i}`, `link add name u${i} type bridge`);
          else lines.push(`addr del 10.${80 + k}.${i}.2/24 dev w${i}`, `link set dev w${i} mtu 1400`);
        }
        if (k === 0) {
          // veths across namespaces: peers resolved on both sides, renamed and deleted on one side
          for (let i = 0; i < 10; i++) {
            lines.push(`link add name p${i} type veth peer name q${i} netns ${names[1]}`);
            if (i % 2 === 0) lines.push(`link set dev p${i} name r${i}`);
            if (i % 4 === 0) lines.push(`link del dev r${i}`);
          }
        }
        if (k === 2) lines.push(`link add name toh type veth peer name fromn2 netns ${sb.hostNs}`);
        return runOk(['ip', '-n', n, '-batch', '-'], { input: lines.join('\n') + '\n' });
      });
      const churn = (async () => {
        for (let i = 0; i < 5; i++) {
          await ip('netns', 'add', sb.ns(`c${i}`));
          if (i % 2) await ip('netns', 'del', sb.ns(`c${i}`));
        }
      })();
      // allSettled: nothing may still be making namespaces when the sandbox is cleaned up
      for (const r of await Promise.allSettled([...batches, churn])) if (r.status === 'rejected') throw r.reason;
      // a rename on one side only: the other side's peer name follows
      await ip('-n', names[1], 'link', 'set', 'dev', 'q1', 'name', 'z1');
      await mirror.settled(700);
      const changes = mirror.count - from;
      assert.equal(mirror.events.filter((x) => x.data.type === 'resync').length, 1, 'no resync: every incremental document matched the whole one');
      console.log(`# 1000 ip changes (+ 5 namespaces added, 2 removed) → ${changes} watch events`);
      assert.ok(changes > 0);
      assert.deepEqual(mirror.gaps, []);

      // the mirror catches up with the kernel: under load the watch's last rounds (peers resolved through nsids
      // the kernel allocates late, NAT) may come after a quiet spell, so compare until equal, with a deadline
      const deadline = Date.now() + 30_000;
      let fresh = await discoverSandbox(h, sb);
      const mine = () => [...mirror.namespaces.values()].map(fingerprint).sort();
      const theirs = () => stripHost(fresh.observed, sb.prefix).namespaces.map(fingerprint).sort();
      const same = () =>
        JSON.stringify(sortedDocument(mirror.document!)) === JSON.stringify(sortedDocument(fresh.document)) &&
        JSON.stringify(mine()) === JSON.stringify(theirs());
      while (!same() && Date.now() < deadline) {
        await mirror.settled(300);
        fresh = await discoverSandbox(h, sb);
      }
      assert.equal(mirror.events.filter((x) => x.data.type === 'resync').length, 1, 'still no resync while catching up');
      assert.ok(
        fresh.document.veths.some((v) => v.ends.some((e) => e.name === 'z1' && e.namespace === 'n1')),
        'the cross-namespace veths are there to compare',
      );
      // a client's document is the resync with every namespace part applied: the same objects, in its own order
      assert.deepEqual(sortedDocument(mirror.document!), sortedDocument(fresh.document), 'the last event document equals a fresh discover');
      assert.deepEqual(mine(), theirs(), 'the mirrored observed namespaces equal a fresh discover');
    } finally {
      await h.close();
    }
  });
});

test('a killed kernel monitor is restarted and followed by a resync', { skip, timeout: 60_000 }, async () => {
  await withSandbox('wkill', async (sb) => {
    await ip('netns', 'add', sb.ns('a'));
    const h = await startSandboxHelper(sb);
    try {
      const { mirror } = await watching(sb, h);
      const helperPid = h.hello!.pid;
      const monitor = children(helperPid).find((c) => c.cmd.includes('monitor'));
      assert.ok(monitor, 'the helper runs ip monitor');
      const from = mirror.count;
      process.kill(monitor.pid, 'SIGKILL');
      // a change while no monitor listens: the resync after the restart carries it
      await ip('-n', sb.ns('a'), 'link', 'set', 'dev', 'lo', 'up');
      const resync = await mirror.next((e) => e.data.type === 'resync', { from, what: 'resync after restart' });
      assert.ok(resync.seq > 1);
      const again = children(helperPid).filter((c) => c.cmd.includes('monitor'));
      assert.equal(again.length, 1);
      assert.notEqual(again[0].pid, monitor.pid);
      assert.equal(link(mirror.namespaces.get('a'), 'lo')?.up, true);
      // and it hears changes again
      const after = mirror.count;
      await ip('-n', sb.ns('a'), 'link', 'add', 'name', 'br0', 'type', 'bridge');
      await mirror.next(
        is('namespace-changed', 'a', (ns) => !!link(ns, 'br0')),
        { from: after, what: 'change after restart' },
      );
      assert.deepEqual(mirror.gaps, []);
    } finally {
      await h.close();
    }
  });
});
