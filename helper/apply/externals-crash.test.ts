/**
 * A helper killed while applying a document with an external namespace: the
 * name it gave that namespace under /run/netns (a bind mount, which keeps the
 * namespace alive) is taken away by the next helper's recovery, after the
 * rollback. One state dir throughout, used by earlier commands: an apply and a
 * destroy of the same document before, a clean apply after.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Topology } from '../../shared/model/schema';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { startHolder } from '../../testing/ns-holders';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { HelperRequestError, startStdioHelper } from '../client';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the external-namespace crash test: ${skip}`);

const helperIn = (sb: Sandbox, stateDir: string, env: Record<string, string> = {}) =>
  startStdioHelper({ wrap: sandboxWrap(sb), env: { ...process.env, NETNS_STUDIO_STATE_DIR: stateDir, ...env } });

test('a helper killed mid-apply leaves the attach name of an external namespace; the next one detaches it', { skip, timeout: 120_000 }, async () => {
  await withSandbox('extcrash', async (sb) =>
    withStateDir(async (dir) => {
      const holder = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      const ext = sb.ns('web');
      const doc = {
        apiVersion: 'netns-studio/v1',
        kind: 'Topology',
        name: sb.ns('lab'),
        metadata: {},
        bridges: [],
        forwarders: [],
        namespaces: [{ name: ext, external: { pid: holder.pid }, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] }],
        veths: [1, 2, 3].map((i) => ({
          ends: [
            { namespace: 'host', name: `vx${i}`, addresses: [`10.68.${i}.1/24`], up: true },
            { namespace: ext, name: `eth${i}`, addresses: [`10.68.${i}.2/24`], up: true },
          ],
        })),
      } as Topology;
      const hostLinks = async () => (await sb.inHost(['ip', '-br', 'link'])).stdout;
      try {
        // earlier commands on this state dir: apply and destroy
        const h0 = await helperIn(sb, dir);
        try {
          const p = await h0.request('plan', { document: doc });
          assert.ok((await h0.request('apply', { document: doc, planHash: p.planHash })).matches);
          const d = await h0.request('plan', { document: doc, destroy: true });
          await h0.request('destroy', { document: doc, planHash: d.planHash });
          assert.doesNotMatch(await hostLinks(), /^vx1[@ ]/m);
        } finally {
          await h0.close();
        }

        // killed mid-apply: the name stays (nothing took it away)
        const h1 = await helperIn(sb, dir, { NETNS_STUDIO_TEST_DELAY_MS: '100' });
        const plan = await h1.request('plan', { document: doc });
        let seen = 0;
        const applying = h1.request(
          'apply',
          { document: doc, planHash: plan.planHash },
          {
            onEvent: () => {
              if (++seen === 1) process.kill(h1.hello!.pid, 'SIGKILL');
            },
          },
        );
        await assert.rejects(applying, (e: unknown) => e instanceof HelperRequestError && e.code === 'disconnected');
        assert.ok(existsSync(`/run/netns/${ext}`), 'the killed helper left the attach name');
        assert.ok(readdirSync(join(dir, 'attached')).includes(ext), 'and its note in the state dir');

        // the next helper rolls back (through the name) and then takes the name away
        const h2 = await helperIn(sb, dir);
        try {
          assert.equal(existsSync(`/run/netns/${ext}`), false, 'recovery detached the name before the first answer');
          assert.deepEqual(readdirSync(join(dir, 'attached')), []);
          assert.doesNotMatch(await hostLinks(), /^vx\d[@ ]/m, 'the half-done apply was rolled back');
          const inside = (await sb.inHost(['nsenter', `--net=/proc/${holder.pid}/ns/net`, 'ip', '-br', 'link'])).stdout;
          assert.doesNotMatch(inside, /^eth\d[@ ]/m, 'nothing of ours is left in the external namespace');
          // and the state dir goes on serving: a clean apply, no name left after it
          const p2 = await h2.request('plan', { document: doc });
          assert.ok((await h2.request('apply', { document: doc, planHash: p2.planHash })).matches);
          assert.equal(existsSync(`/run/netns/${ext}`), false);
          const d2 = await h2.request('plan', { document: doc, destroy: true });
          await h2.request('destroy', { document: doc, planHash: d2.planHash });
        } finally {
          await h2.close();
        }
      } finally {
        await holder.kill(); // a name left behind is prefixed: the sandbox's cleanup removes it
      }
    }),
  );
});
