/**
 * The stdio HelperLink with the real helper process, inside a sandbox (wrap =
 * nsenter into its host namespace): status from the hello, helper answers mapped
 * by the session into the renderer's shapes, typed failures as values, and a
 * helper that dies: status says so at once, then it is restarted and the
 * session's watch subscription is renewed (it starts again with a resync).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HelperStatus, HostSnapshot, Result, WatchEvent } from '../shared/backend';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { createSession } from './session';
import { createStdioHelperLink } from './stdio-helper-link';
import { waitUntil } from '../testing/until';

const skip = kernelSkipReason();
if (skip) console.log(`skipping stdio helper link tests: ${skip}`);

describe('stdio helper link (real helper, sandboxed)', { skip }, () => {
  it('connects, answers through the session, reports death and restarts', async () => {
    await withSandbox('link', async (sb) => {
      await sb.bash('ip netns add ${P}ns1 && ip -n ${P}ns1 link set dev lo up');
      const link = createStdioHelperLink({ wrap: ['nsenter', `--net=/run/netns/${sb.hostNs}`], onlyPrefix: sb.prefix, restartDelayMs: 50, log: () => {} });
      const statuses: HelperStatus[] = [];
      const events: { name: string; payload: unknown }[] = [];
      const session = createSession(link, (name, payload) => events.push({ name, payload }));
      link.onStatus((s) => statuses.push(s));
      try {
        assert.equal(link.status().state, 'idle');
        const s = await link.connect();
        assert.equal(s.state, 'connected', JSON.stringify(s.error));
        assert.equal(s.transport, 'stdio');
        assert.equal(s.uid, 0);
        assert.equal(s.root, true);
        assert.match(String(s.versions?.iproute2), /\d/);
        assert.equal(s.features?.veth, true);
        assert.deepEqual(
          statuses.map((x) => x.state),
          ['connecting', 'connected'],
        );

        // discover, scoped to the sandbox: its host is `host`, its namespace is there, nobody else's
        const d = (await session.handle('discover', {})) as Result<HostSnapshot>;
        assert.ok(d.ok, JSON.stringify(d));
        const names = d.value.document.namespaces.map((n) => n.name);
        assert.deepEqual(names, [sb.ns('ns1')]);

        // a helper failure is a value with the helper's code
        const bad = await link.call('plan', { document: { kind: 'nonsense' } });
        assert.equal(bad.ok, false);
        assert.ok(!bad.ok && bad.error.code.length > 0);
        const unknown = await link.call('no.such.method' as never, {} as never);
        assert.ok(!unknown.ok && unknown.error.code === 'unknown-method', JSON.stringify(unknown));

        // watch through the session: a resync first, then a namespace that appears
        const watched = () => events.filter((e) => e.name === 'watchEvent').map((e) => (e.payload as { event: WatchEvent }).event);
        assert.deepEqual(await session.handle('watchStart', { subId: 'w1' }), { ok: true, value: null });
        await waitUntil('resync', () => watched().some((e) => e.type === 'resync'));
        await sb.bash('ip netns add ${P}ns2');
        // one namespace's diff, with its part of the document (not the whole host)
        await waitUntil('ns2 seen', () =>
          watched().some((e) => e.type === 'namespace-added' && e.namespace === sb.ns('ns2') && e.part.entry?.name === sb.ns('ns2')),
        );
        const resyncs = () => watched().filter((e) => e.type === 'resync').length;
        const before = resyncs();

        // the helper dies: status failed with the reason at once, then restarted
        const hello = await link.call('hello', {});
        assert.ok(hello.ok);
        const pid = (hello.value as { pid: number }).pid;
        statuses.length = 0;
        process.kill(pid, 'SIGKILL');
        await waitUntil('failed status', () => statuses.some((x) => x.state === 'failed'));
        const f = statuses.find((x) => x.state === 'failed')!;
        assert.match(f.error?.message ?? '', /SIGKILL|killed/);
        assert.equal(f.canRetry, true);
        assert.ok(
          events.some((e) => e.name === 'status' && (e.payload as HelperStatus).state === 'failed'),
          'the session told the renderer',
        );
        await waitUntil('restart', () => link.status().state === 'connected');
        const again = await link.call('hello', {});
        assert.ok(again.ok && (again.value as { pid: number }).pid !== pid, 'a new helper process');
        await waitUntil('watch renewed with a resync', () => resyncs() > before);
      } finally {
        session.close();
        await link.close();
      }
      // closed: no helper, and none started behind our back
      assert.equal(link.status().state, 'idle');
      assert.equal((await link.call('hello', {})).ok, false);
    });
  });

  it('a helper that cannot start reports failed with its error', { skip }, async () => {
    const link = createStdioHelperLink({ wrap: ['/nonexistent/wrapper'], log: () => {} });
    const s = await link.connect();
    assert.equal(s.state, 'failed');
    assert.ok(s.error?.message, 'says why');
    assert.equal(s.canRetry, true);
    const r = await link.call('discover', {});
    assert.equal(r.ok, false);
    await link.close();
  });
});
