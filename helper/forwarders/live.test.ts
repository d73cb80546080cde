/**
 * Live figures and lifecycle edges: forwarders.list / forwarders.subscribe events
 * (the shape shell-core/helper-results.ts reads), a start that cannot bind leaves
 * nothing behind, an agent that dies is reported, discover's view of forwarders.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { ForwarderStatsSchema } from '../../shared/ipc-contract';
import { sandboxWrap } from '../../testing/apply-support';
import { discover } from '../discover/index';
import { documentForwarders } from './in-document';
import type { ForwarderLive } from './live';
import type { ForwarderStatus } from './runtime';
import { NS1_UP, echoIn, tcpClient, tcpOpen } from '../../testing/traffic';
import { until } from '../../testing/until';

// forwarders.* use the helper's runtime over the default dir: point it at a private one before first use
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwd-live-'));
process.env.NETNS_STUDIO_FORWARDERS_DIR = dir;
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const { helperForwarders } = await import('./runtime');
const { forwardersListMethod, forwardersSubscribeMethod, forwardersUnsubscribeMethod } = await import('../methods/forwarders');

const skip = kernelSkipReason();
if (skip) console.log(`# skipping forwarder live tests: ${skip}`);

function fakeCtx(wrap: string[], id = 7) {
  const events: { event: string; data: { stats: ForwarderLive[] }; seq?: number }[] = [];
  const ctx = {
    id,
    emit: (event: string, data: unknown, seq?: number) => events.push({ event, data: data as { stats: ForwarderLive[] }, seq }),
    connection: { cleanups: new Map<string, () => void>(), settings: { wrap } },
    signal: new AbortController().signal,
  };
  return { ctx, events };
}

test('forwarders.subscribe streams live figures; list; unsubscribe stops; a dead agent is reported', { skip }, async () => {
  await withSandbox('fwlive', async (sb) => {
    assert.equal((await sb.bash(NS1_UP)).code, 0);
    const echo = await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8080);
    const wrap = sandboxWrap(sb);
    const rt = helperForwarders(wrap);
    try {
      await rt.start({
        name: 'web',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8000 },
        target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
      });
      await rt.start({
        name: 'refused',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8001 },
        target: { namespace: 'host', address: '127.0.0.1', port: 9 },
      });
      const { ctx, events } = fakeCtx(wrap);
      const sub = await forwardersSubscribeMethod.handler({ intervalMs: 100 }, ctx);
      assert.deepEqual(sub, { subscription: 7 });
      assert.ok(await until(() => events.length >= 1), 'a first event at once');
      assert.equal(events[0].event, 'forwarders');
      assert.deepEqual(
        events[0].data.stats.map((s) => [s.name, s.running, s.state, s.total]),
        [
          ['refused', true, 'listening', 0],
          ['web', true, 'listening', 0],
        ],
      );

      assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8000, 20, 10_000), { ok: 20, bad: 0, fail: 0, bytes: 200_000 });
      assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8001, 3, 10), { ok: 0, bad: 0, fail: 3, bytes: 0 });
      const web = () => events.at(-1)!.data.stats.find((s) => s.name === 'web')!;
      const refused = () => events.at(-1)!.data.stats.find((s) => s.name === 'refused')!;
      assert.ok(
        await until(() => web().total === 20 && web().connections === 0 && web().bytesIn === 200_000 && refused().failedDials === 3),
        JSON.stringify(events.at(-1)),
      );
      assert.deepEqual(
        { ...web(), spec: undefined },
        { name: 'web', running: true, state: 'listening', connections: 0, total: 20, bytesIn: 200_000, bytesOut: 200_000, failedDials: 0, spec: undefined },
      );
      // what the app reads (shell-core/helper-results.ts → shared/ipc-contract.ts)
      for (const s of events.at(-1)!.data.stats) assert.ok(ForwarderStatsSchema.safeParse(s).success);
      assert.deepEqual(
        events.map((e) => e.seq),
        events.map((_, i) => i),
      );
      // nothing changes: no new events. Barrier: one more connection must show (total 21); every event
      // before it settles has to be about that connection, none a repeat of unchanged figures
      const n = events.length;
      assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8000, 1, 10_000), { ok: 1, bad: 0, fail: 0, bytes: 10_000 });
      assert.ok(await until(() => web().total === 21 && web().connections === 0, 5000, 50), JSON.stringify(events.at(-1)));
      assert.ok(events.length > n);
      assert.deepEqual(
        events.slice(n).map((e) => e.data.stats.find((s) => s.name === 'web')!.total),
        events.slice(n).map(() => 21),
        'no event while nothing changed',
      );

      // discover puts running forwarders into the document, names as the document writes them
      const seen = await discover({ onlyPrefix: sb.prefix, stripPrefix: true, nat: false, forwarders: rt });
      assert.deepEqual(
        seen.document.forwarders.map((f) => [f.name, f.listen.namespace, f.target.namespace]),
        [
          ['refused', 'ns1', 'host'],
          ['web', 'ns1', 'host'],
        ],
      );

      // an agent that dies is reported (and discover leaves the forwarder out, so a plan restarts it)
      const listed = await forwardersListMethod.handler(undefined, ctx);
      const webPids = (await rt.list()).find((f) => f.name === 'web')!.pids;
      process.kill(webPids[webPids.length - 1], 'SIGKILL');
      assert.ok(await until(() => web().running === false), 'death reported');
      assert.equal(web().state, 'stopped');
      assert.ok(web().error);
      assert.equal(listed.forwarders.length, 2);
      assert.deepEqual(
        (await discover({ onlyPrefix: sb.prefix, stripPrefix: true, nat: false, forwarders: rt })).document.forwarders.map((f) => f.name),
        ['refused'],
      );

      await forwardersUnsubscribeMethod.handler({ subscription: 7 }, ctx);
      const m = events.length;
      await rt.stop('refused');
      // barrier: a second subscription into the same stream (same interval) reports this stop and a later one;
      // the first would have reported them as well, so only the second's events (seq 0, 1, …) may have arrived
      const ctx2 = { ...ctx, id: 8 };
      await forwardersSubscribeMethod.handler({ intervalMs: 100 }, ctx2);
      assert.ok(await until(() => events.length > m, 5000, 20), 'the second subscription reports');
      await rt.stop('web');
      assert.ok(await until(() => events.at(-1)!.data.stats.length === 0, 5000, 20), 'the second subscription reports web stopped');
      await forwardersUnsubscribeMethod.handler({ subscription: 8 }, ctx2);
      assert.deepEqual(
        events.slice(m).map((e) => e.seq),
        events.slice(m).map((_, i) => i),
        'no events after unsubscribe',
      );
      await assert.rejects(async () => forwardersUnsubscribeMethod.handler({ subscription: 7 }, ctx), /no forwarders subscription/);
    } finally {
      for (const f of await rt.list()) await rt.stop(f.name);
      echo.kill();
    }
    assert.deepEqual(await rt.list(), []);
  });
});

test('a forwarder that cannot bind, or cannot enter its target namespace, fails to start with the reason and leaves nothing running', { skip }, async () => {
  await withSandbox('fwbind', async (sb) => {
    assert.equal((await sb.bash(NS1_UP)).code, 0);
    const rt = helperForwarders(sandboxWrap(sb));
    // 10.9.9.9 is on no interface of ns1; the target end (host) starts first and must be taken down again
    await assert.rejects(
      rt.start({
        name: 'nobind',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.9.9.9', port: 8000 },
        target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
      }),
      /nobind: .*(EADDRNOTAVAIL|address)/i,
    );
    assert.deepEqual(await rt.list(), []);
    assert.deepEqual(fs.readdirSync(dir), []);
    const agents = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('"name":"nobind"');
        } catch {
          return false;
        }
      });
    assert.deepEqual(agents, [], 'no agent left');
    // a target namespace that does not exist: the serving half cannot start, the listening half goes too
    await assert.rejects(
      rt.start({
        name: 'noens',
        protocol: 'tcp',
        listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8000 },
        target: { namespace: sb.ns('absent'), address: '10.0.1.1', port: 80 },
      }),
      /noens: could not start in the target namespace/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);
    // the same port works for a good forwarder afterwards
    await rt.start({
      name: 'good',
      protocol: 'tcp',
      listen: { namespace: sb.ns('ns1'), address: '10.0.0.1', port: 8000 },
      target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
    });
    assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), true);
    await rt.stop('good');
    assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), false);
  });
});

test('discover view: only serving forwarders with both ends in view, prefix stripped', () => {
  const st = (name: string, l: string, t: string, alive = true, state = 'listening'): ForwarderStatus => ({
    name,
    pids: [1],
    alive,
    spec: { name, protocol: 'tcp', listen: { namespace: l, address: '10.0.0.1', port: 1 }, target: { namespace: t, address: '10.0.0.2', port: 2 } },
    stats: { state, reason: '', active: 0, total: 0, bytesIn: 0, bytesOut: 0, failedDials: 0 },
  });
  const list = [
    st('b', 'p-ns1', 'host'),
    st('a', 'p-ns1', 'p-ns2'),
    st('dead', 'p-ns1', 'host', false),
    st('err', 'p-ns1', 'host', true, 'error'),
    st('other', 'q-ns1', 'host'),
  ];
  const strip = (n: string) => (n.startsWith('p-') ? n.slice(2) : undefined);
  const got = documentForwarders(list, new Set(['ns1', 'ns2']), strip);
  assert.deepEqual(
    got.map((f) => [f.name, f.listen.namespace, f.target.namespace]),
    [
      ['a', 'ns1', 'ns2'],
      ['b', 'ns1', 'host'],
    ],
  );
  assert.deepEqual(
    documentForwarders(list, new Set(['ns1']), strip).map((f) => f.name),
    ['b'],
  );
});
