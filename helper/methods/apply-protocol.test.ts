/**
 * plan → apply → destroy spoken over the real protocol: the helper process runs
 * inside a sandbox (its own namespace plays `host`), started by the client
 * library exactly as the app starts it. Also: a helper killed mid-apply is
 * rolled back by the next helper before it serves anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../shared/protocol/messages';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { readJournal } from '../apply/journal';
import { sandboxWrap, scenarioDoc, withStateDir } from '../../testing/apply-support';
import { HelperRequestError, startStdioHelper } from '../client';
import { PROGRESS_EVENT, type ApplyProgressEvent } from './apply';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping helper protocol apply tests: ${skip}`);

const helperIn = (sb: Sandbox, stateDir: string, env: Record<string, string> = {}) =>
  startStdioHelper({ wrap: sandboxWrap(sb), env: { ...process.env, NETNS_STUDIO_STATE_DIR: stateDir, ...env } });

const docOf = (sb: Sandbox, name: string) => scenarioDoc(name, sb);

test('over the protocol: plan → apply with progress events → destroy dry run → destroy', { skip }, async () => {
  await withSandbox('proto', async (sb) => {
    await withStateDir(async (dir) => {
      const empty = await hostDump(sb);
      const h = await helperIn(sb, dir);
      try {
        const document = docOf(sb, '03-bridge-lan');
        const plan = await h.request('plan', { document });
        assert.match(plan.planHash, /^[0-9a-f]{64}$/);
        assert.equal(plan.summary.total, plan.steps.length);
        assert.ok(plan.steps.length > 10);
        assert.deepEqual(await hostDump(sb), empty, 'plan changes nothing');

        // refused at the boundary: no plan hash; a stale one
        await assert.rejects(h.request('apply', { document } as never), (e: unknown) => e instanceof HelperRequestError && e.code === 'bad-params');
        await assert.rejects(
          h.request('apply', { document, planHash: 'f'.repeat(64) }),
          (e: unknown) => e instanceof HelperRequestError && e.code === 'plan-stale',
        );
        await assert.rejects(
          h.request('plan', { document: { ...document, namespaces: [{ name: 'a;rm -rf /' }] } }),
          (e: unknown) => e instanceof HelperRequestError && e.code === 'invalid-document',
        );
        assert.deepEqual(await hostDump(sb), empty);

        const events: Event[] = [];
        const r = await h.request('apply', { document, planHash: plan.planHash }, { onEvent: (e) => events.push(e) });
        assert.equal(r.applied, plan.steps.length);
        assert.equal(r.matches, true);
        assert.equal(r.readiness?.ready, true, `the helper waited until the network was usable: ${JSON.stringify(r.readiness)}`);
        assert.ok((r.readiness?.checked ?? 0) > 0);
        const progress = events.filter((e) => e.event === PROGRESS_EVENT).map((e) => e.data as ApplyProgressEvent);
        assert.ok(progress.length >= 1, 'apply sent progress events');
        assert.equal(progress.at(-1)?.index, plan.steps.length);
        assert.ok(
          progress.every((p) => p.phase === 'apply' && p.total === plan.steps.length && p.reason),
          JSON.stringify(progress.slice(0, 3)),
        );
        assert.deepEqual(
          events.map((e) => e.seq),
          events.map((_, i) => i),
          'events carry their order',
        );
        const applied = await hostDump(sb);
        assert.notDeepEqual(applied, empty);

        const again = await h.request('plan', { document });
        assert.deepEqual(again.steps, [], 'applied: nothing left to do');

        const dry = await h.request('plan', { document, destroy: true });
        assert.ok(dry.steps.length > 0);
        const dry2 = await h.request('destroy', { document, dryRun: true });
        assert.ok('steps' in dry2 && dry2.steps.length === dry.steps.length);
        assert.deepEqual(await hostDump(sb), applied, 'dry runs change nothing');

        const d = await h.request('destroy', { document, planHash: dry.planHash });
        assert.ok('matches' in d && d.matches);
        assert.deepEqual(await hostDump(sb), empty);
      } finally {
        await h.close();
      }
    });
  });
});

test('over the protocol: a helper killed mid-apply is rolled back by the next one before it serves', { skip }, async () => {
  await withSandbox('protokill', async (sb) => {
    await withStateDir(async (dir) => {
      const empty = await hostDump(sb);
      const document = docOf(sb, '04-router-nat');
      const h = await helperIn(sb, dir, { NETNS_STUDIO_TEST_DELAY_MS: '60' });
      const plan = await h.request('plan', { document });
      let seen = 0;
      const applying = h.request(
        'apply',
        { document, planHash: plan.planHash },
        {
          onEvent: () => {
            if (++seen === 3) process.kill(h.hello!.pid, 'SIGKILL');
          },
        },
      );
      await assert.rejects(applying, (e: unknown) => e instanceof HelperRequestError && e.code === 'disconnected');
      assert.ok(readJournal(dir), 'the killed helper left its journal');
      assert.notDeepEqual(await hostDump(sb), empty, 'the kill interrupted a half-done apply');

      const h2 = await helperIn(sb, dir);
      try {
        assert.equal(readJournal(dir), undefined, 'recovered before the first answer');
        assert.deepEqual(await hostDump(sb), empty);
        const plan2 = await h2.request('plan', { document });
        assert.equal(plan2.planHash, plan.planHash, 'the host is as it was when the first plan was made');
      } finally {
        await h2.close();
      }
    });
  });
});

test('over the protocol: two topologies, the second plan scoped, the list shows both, destroy by name', { skip }, async () => {
  await withSandbox('protolist', async (sb) => {
    await withStateDir(async (dir) => {
      const empty = await hostDump(sb);
      const h = await helperIn(sb, dir);
      try {
        const a = { ...docOf(sb, '03-bridge-lan'), name: 'lab-a' };
        const b = docOf(sb, '06-client-server');
        const pa = await h.request('plan', { document: a });
        assert.deepEqual(pa.topology, { name: 'lab-a', from: 'document' });
        await h.request('apply', { document: a, planHash: pa.planHash });
        // no name: the file names it, and the plan says so
        const pb = await h.request('plan', { document: b, file: '/labs/lab-b.yaml' });
        assert.deepEqual(pb.topology, { name: 'lab-b', from: 'file', file: '/labs/lab-b.yaml' });
        assert.match(pb.notes.join('\n'), /after its file \/labs\/lab-b\.yaml/);
        assert.equal(pb.summary.delete, 0);
        assert.ok(
          pb.steps.every((s) => ![sb.ns('ns1'), sb.ns('ns2')].includes(s.namespace) && !s.object.includes('br0')),
          'nothing of lab-a in the plan of lab-b',
        );
        const rb = await h.request('apply', { document: b, planHash: pb.planHash, file: '/labs/lab-b.yaml' });
        assert.equal(rb.topology, 'lab-b');
        const { topologies } = await h.request('topologies.list', {});
        assert.deepEqual(
          topologies.map((t) => [t.name, t.file, t.state, t.counts.namespaces]),
          [
            ['lab-a', undefined, 'in-sync', 2],
            ['lab-b', '/labs/lab-b.yaml', 'in-sync', 3],
          ],
        );
        const st = await h.request('topologies.status', { name: 'lab-b' });
        assert.deepEqual(
          (st.document as { namespaces: { name: string }[] }).namespaces.map((n) => n.name),
          b.namespaces.map((n) => n.name),
        );
        assert.deepEqual(
          st.history.map((x) => x.action),
          ['apply'],
        );
        await assert.rejects(h.request('topologies.status', { name: '../etc' }), (e: unknown) => e instanceof HelperRequestError && e.code === 'bad-params');
        await assert.rejects(
          h.request('topologies.status', { name: 'nope' }),
          (e: unknown) => e instanceof HelperRequestError && e.code === 'unknown-topology',
        );
        await assert.rejects(h.request('destroy', { name: 'lab-a', document: a }), (e: unknown) => e instanceof HelperRequestError);
        const dry = await h.request('destroy', { name: 'lab-b', dryRun: true });
        assert.ok('steps' in dry && dry.steps.length > 0 && dry.steps.every((s) => !s.object.includes(sb.ns('ns1'))));
        for (const name of ['lab-b', 'lab-a']) await h.request('destroy', { name });
        assert.deepEqual((await h.request('topologies.list', {})).topologies, []);
        assert.deepEqual(await hostDump(sb), empty);
      } finally {
        await h.close();
      }
    });
  });
});
