/**
 * Forwarders over the real protocol, the helper process running inside a sandbox
 * (its namespace plays `host`): apply scenario 01, watch the `forwarders` events
 * while traffic flows, close the helper, and the forwarders go on serving (host
 * state, like a veth); a new helper finds them (the plan is empty) and destroy
 * stops them. A helper killed mid-apply after a forwarder started: the next one
 * rolls the apply back, stopping that forwarder, before it answers anything.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Event } from '../../shared/protocol/messages';
import { prefixTopology } from '../../testing/prefix';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { until } from '../../testing/until';
import { loadScenario } from '../../testing/scenarios';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { HelperRequestError, startStdioHelper } from '../client';
import { hostDump } from '../../testing/host-dump';
import type { ApplyProgressEvent } from '../methods/apply';
import type { ForwarderLive } from './live';
import { echoIn, tcpClient, tcpOpen } from '../../testing/traffic';
import '../methods/forwarders'; // the forwarders.* method types

const skip = kernelSkipReason();
if (skip) console.log(`# skipping forwarder protocol tests: ${skip}`);

test('over the protocol: apply starts forwarders, figures stream, they outlive the helper, destroy stops them', { skip }, async () => {
  await withSandbox('fwproto', async (sb: Sandbox) => {
    await withStateDir(async (stateDir) => {
      const fwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwproto-'));
      const env = { ...process.env, NETNS_STUDIO_STATE_DIR: stateDir, NETNS_STUDIO_FORWARDERS_DIR: fwDir };
      const helper = () => startStdioHelper({ wrap: sandboxWrap(sb), env });
      const document = prefixTopology(loadScenario('01-gost-forwarders').doc, sb);
      const echo = await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8080);
      let ns2echo: Awaited<ReturnType<typeof echoIn>> | undefined;
      try {
        let h = await helper();
        const plan = await h.request('plan', { document });
        assert.deepEqual(
          plan.steps.filter((s) => s.argv[0] === 'forwarder-start').map((s) => s.argv[1]),
          ['service-0', 'service-1'],
        );
        assert.equal((await h.request('apply', { document, planHash: plan.planHash })).matches, true);
        ns2echo = await echoIn(sb.ns('ns2'), 'tcp', '10.0.1.1', 8000);

        const events: Event[] = [];
        const sub = await h.subscribe('forwarders.subscribe', { intervalMs: 100 }, (e) => events.push(e), 'forwarders.unsubscribe');
        assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8001, 100, 10_000), { ok: 100, bad: 0, fail: 0, bytes: 1_000_000 });
        const last = () => (events.at(-1)?.data as { stats: ForwarderLive[] } | undefined)?.stats.find((s) => s.name === 'service-1');
        // figures settle once the forwarder has closed both sides of every connection (the assertion below names any that did not)
        await until(() => last()?.total === 100 && last()?.connections === 0 && last()?.bytesIn === 1_000_000, 5000, 50);
        assert.deepEqual(
          { ...last(), spec: undefined },
          {
            name: 'service-1',
            running: true,
            state: 'listening',
            connections: 0,
            total: 100,
            bytesIn: 1_000_000,
            bytesOut: 1_000_000,
            failedDials: 0,
            spec: undefined,
          },
        );
        assert.ok(events.every((e) => e.event === 'forwarders' && e.ref === sub.id));
        await sub.unsubscribe();
        await h.close();

        // the helper is gone; the forwarders are not
        assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8000, 50, 1000), { ok: 50, bad: 0, fail: 0, bytes: 50_000 });
        h = await helper();
        try {
          const again = await h.request('plan', { document });
          assert.deepEqual(again.steps, [], 'a new helper finds them running');
          const { forwarders } = await h.request('forwarders.list', undefined);
          assert.deepEqual(
            forwarders.map((f) => [f.name, f.running, f.total]),
            [
              ['service-0', true, 50],
              ['service-1', true, 100],
            ],
          );
          ns2echo.kill(); // a process inside ns2 would keep it alive after destroy
          await h.request('destroy', { document });
          assert.deepEqual((await h.request('forwarders.list', undefined)).forwarders, []);
        } finally {
          await h.close();
        }
        assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), false);
        assert.deepEqual(fs.readdirSync(fwDir), []);
      } finally {
        echo.kill();
        ns2echo?.kill();
        fs.rmSync(fwDir, { recursive: true, force: true });
      }
    });
  });
});

test('over the protocol: a helper killed after a forwarder started is rolled back by the next one, forwarder included', { skip }, async () => {
  await withSandbox('fwkill', async (sb: Sandbox) => {
    await withStateDir(async (stateDir) => {
      const fwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwkill-'));
      const env = { ...process.env, NETNS_STUDIO_STATE_DIR: stateDir, NETNS_STUDIO_FORWARDERS_DIR: fwDir };
      const document = prefixTopology(loadScenario('01-gost-forwarders').doc, sb);
      try {
        const empty = await hostDump(sb);
        const h = await startStdioHelper({ wrap: sandboxWrap(sb), env: { ...env, NETNS_STUDIO_TEST_DELAY_MS: '200' } });
        const plan = await h.request('plan', { document });
        const firstFw = plan.steps.findIndex((s) => s.argv[0] === 'forwarder-start');
        // progress `index` counts finished steps: the first forwarder is up, the second not yet
        const applying = h.request(
          'apply',
          { document, planHash: plan.planHash },
          {
            onEvent: (e) => {
              if ((e.data as ApplyProgressEvent).index === firstFw + 1) process.kill(h.hello!.pid, 'SIGKILL');
            },
          },
        );
        await assert.rejects(applying, (e: unknown) => e instanceof HelperRequestError && e.code === 'disconnected');
        assert.deepEqual(
          fs.readdirSync(fwDir).filter((f) => f.endsWith('.json')),
          ['service-0.json'],
          'one forwarder was running when the helper died',
        );
        assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), true);

        const h2 = await startStdioHelper({ wrap: sandboxWrap(sb), env });
        try {
          assert.deepEqual((await h2.request('forwarders.list', undefined)).forwarders, [], 'recovered before the first answer');
          assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), false);
          assert.deepEqual(await hostDump(sb), empty);
        } finally {
          await h2.close();
        }
      } finally {
        fs.rmSync(fwDir, { recursive: true, force: true });
      }
    });
  });
});
