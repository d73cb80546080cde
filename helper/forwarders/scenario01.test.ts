/**
 * Scenario 01 (GOST's network-namespace guide) through the apply pipeline, in a
 * sandbox: the forwarders are plan steps run by the forwarder runtime. Both TCP
 * forwarders carry many concurrent connections end to end (host → ns1
 * 10.0.0.1:8000 → host 127.0.0.1:8080; host → ns1 10.0.0.1:8001 → ns2
 * 10.0.1.1:8000), two UDP forwarders added to the document carry datagrams;
 * re-apply (also by a fresh runtime, as after a helper restart) is a no-op; a
 * changed forwarder is restarted on its port; destroy stops them; a failure
 * injected after forwarders started stops them again, and a destroy failing after
 * it stopped them starts them again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Forwarder, Topology } from '../../shared/model/schema';
import { hostDump } from '../../testing/host-dump';
import { prefixTopology } from '../../testing/prefix';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { loadScenario } from '../../testing/scenarios';
import type { ApplyContext } from '../apply/context';
import { hostEngine } from '../apply/engine';
import { ApplyFailure } from '../apply/failure';
import { applyDocument, destroyDocument, planDestroy, planForHost } from '../apply/pipeline';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { createForwarderRuntime, type ForwarderRuntime } from './runtime';
import { AGENT_BUNDLE } from '../bundle-files';
import { echoIn, tcpClient, tcpOpen, udpClient } from '../../testing/traffic';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping scenario 01 forwarder tests: ${skip}`);

const CONNS = 300;
const SIZE = 64 * 1024;

/** Scenario 01 as written, plus two UDP forwarders (host loopback and ns2 run UDP echo on the same ports). */
function scenarioDoc(): Topology {
  const doc = loadScenario('01-gost-forwarders').doc;
  const udp: Forwarder[] = [
    {
      name: 'udp-0',
      protocol: 'udp',
      listen: { namespace: 'ns1', address: '10.0.0.1', port: 9000 },
      target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
    },
    {
      name: 'udp-1',
      protocol: 'udp',
      listen: { namespace: 'ns1', address: '10.0.0.1', port: 9001 },
      target: { namespace: 'ns2', address: '10.0.1.1', port: 8000 },
    },
  ];
  return { ...doc, forwarders: [...doc.forwarders, ...udp] };
}

/** The runtime, noting which forwarders were serving right after they started. */
function recording(rt: ForwarderRuntime, served: string[]): ForwarderRuntime {
  return {
    ...rt,
    async start(fw) {
      await rt.start(fw);
      if ((await rt.stats(fw.name))?.state === 'listening') served.push(fw.name);
    },
  };
}

// only this test's agents (their argv carries its state dir): other test files run agents concurrently
const agentPids = (dir: string) =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
        // the agent's bundle (what the runtime starts: helper/code-location.ts) or its source
        return (cmd.includes('forwarders/agent.ts') || cmd.includes(`/${AGENT_BUNDLE}`)) && cmd.includes(dir);
      } catch {
        return false;
      }
    });

test('scenario 01 applied: forwarders carry TCP and UDP end to end, re-apply no-op, change, destroy, rollback', { skip }, async () => {
  await withSandbox('fw01', async (sb) => {
    await withStateDir(async (stateDir) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw01-'));
      const wrap = sandboxWrap(sb);
      const rt = createForwarderRuntime({ dir, wrap });
      const ctx = (extra: Partial<ApplyContext> = {}): ApplyContext => ({ engine: hostEngine(), stateDir, wrap, forwarders: rt, ...extra });
      const doc = prefixTopology(scenarioDoc(), sb);
      const servers = [await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8080), await echoIn(sb.hostNs, 'udp', '127.0.0.1', 8080)];
      const agentsBefore = new Set(agentPids(dir));
      try {
        const empty = await hostDump(sb);
        const plan = await planForHost(doc, ctx());
        const fwSteps = plan.steps.flatMap((s, i) => (s.argv[0] === 'forwarder-start' ? [i] : []));
        assert.equal(fwSteps.length, 4, 'one start step per forwarder');
        assert.deepEqual(fwSteps, [plan.steps.length - 4, plan.steps.length - 3, plan.steps.length - 2, plan.steps.length - 1], 'forwarders start last');

        // a failure after three forwarders started: all stopped again, the host as before
        const served: string[] = [];
        await assert.rejects(
          applyDocument(doc, { planHash: plan.planHash }, ctx({ forwarders: recording(rt, served), failAtStep: fwSteps[3] })),
          (e: unknown) => {
            assert.ok(e instanceof ApplyFailure && e.code === 'step-failed', String(e));
            assert.equal((e.failure.detail as { rolledBack: boolean }).rolledBack, true);
            return true;
          },
        );
        assert.equal(served.length, 3, `three forwarders were serving before the failure: ${served}`);
        assert.deepEqual(await rt.list(), [], 'rolled back: no forwarder left');
        assert.deepEqual(
          agentPids(dir).filter((p) => !agentsBefore.has(p)),
          [],
          'no agent process left',
        );
        assert.deepEqual(await hostDump(sb), empty);

        const r = await applyDocument(doc, { planHash: plan.planHash }, ctx());
        assert.equal(r.matches, true, `host matches after apply: ${JSON.stringify(r.remaining.map((s) => s.argv))}`);
        servers.push(await echoIn(sb.ns('ns2'), 'tcp', '10.0.1.1', 8000), await echoIn(sb.ns('ns2'), 'udp', '10.0.1.1', 8000));

        // many concurrent connections through each TCP forwarder, every byte checked
        const [a, b] = await Promise.all([tcpClient(sb, 'host', '10.0.0.1', 8000, CONNS, SIZE), tcpClient(sb, 'host', '10.0.0.1', 8001, CONNS, SIZE)]);
        assert.deepEqual(a, { ok: CONNS, bad: 0, fail: 0, bytes: CONNS * SIZE }, 'service-0: ns1 → host loopback');
        assert.deepEqual(b, { ok: CONNS, bad: 0, fail: 0, bytes: CONNS * SIZE }, 'service-1: ns1 → ns2');
        // ns1 has no route to ns2 by itself (the forwarder is the only way), as the scenario's pings say
        assert.notEqual((await sb.inNs('ns1', ['ping', '-c1', '-W1', '10.0.1.1'])).code, 0);
        assert.deepEqual(await udpClient(sb, 'host', '10.0.0.1', 9000, 50), { ok: 50 });
        assert.deepEqual(await udpClient(sb, 'host', '10.0.0.1', 9001, 50), { ok: 50 });
        const stats = Object.fromEntries((await rt.list()).map((f) => [f.name, f.stats]));
        for (const n of ['service-0', 'service-1']) {
          assert.equal(stats[n]?.total, CONNS, n);
          assert.equal(stats[n]?.bytesOut, CONNS * SIZE, n);
          assert.equal(stats[n]?.bytesIn, CONNS * SIZE, n);
        }
        assert.equal(stats['udp-1']?.total, 50);
        assert.equal(stats['udp-1']?.bytesIn, 50_000);

        // found again: nothing to do, also for a fresh runtime over the same state (a restarted helper)
        assert.deepEqual((await planForHost(doc, ctx())).steps, []);
        assert.deepEqual((await planForHost(doc, ctx({ forwarders: createForwarderRuntime({ dir, wrap }) }))).steps, []);
        assert.equal((await applyDocument(doc, {}, ctx())).applied, 0);

        // a changed forwarder: stopped, started again with the new target, on the same port
        servers.push(await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8081));
        const changed = { ...doc, forwarders: doc.forwarders.map((f) => (f.name === 'service-0' ? { ...f, target: { ...f.target, port: 8081 } } : f)) };
        const cplan = await planForHost(changed, ctx());
        assert.deepEqual(
          cplan.steps.map((s) => s.argv.slice(0, 2)),
          [
            ['forwarder-stop', 'service-0'],
            ['forwarder-start', 'service-0'],
          ],
        );
        assert.equal((await applyDocument(changed, { planHash: cplan.planHash }, ctx())).matches, true);
        assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8000, 20, 1000), { ok: 20, bad: 0, fail: 0, bytes: 20_000 });
        assert.equal((await rt.list()).find((f) => f.name === 'service-0')?.spec.target.port, 8081);

        // a destroy failing right after the forwarders were stopped starts them again
        const dplan = planDestroy(changed, ctx());
        const lastStop = dplan.steps.map((st) => st.argv[0]).lastIndexOf('forwarder-stop');
        assert.deepEqual(
          dplan.steps.slice(0, 4).map((st) => st.argv[0]),
          Array(4).fill('forwarder-stop'),
          'destroy stops forwarders first',
        );
        await assert.rejects(
          destroyDocument(changed, {}, ctx({ failAtStep: lastStop + 1 })),
          (e: unknown) => e instanceof ApplyFailure && e.code === 'step-failed',
        );
        assert.deepEqual(
          (await rt.list()).filter((f) => f.alive && f.stats?.state === 'listening').map((f) => f.name),
          ['service-0', 'service-1', 'udp-0', 'udp-1'],
        );
        assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8001, 20, 1000), { ok: 20, bad: 0, fail: 0, bytes: 20_000 });

        // destroy stops them all (our echo servers in ns2 go first: a process inside would keep the namespace alive)
        for (const s of servers.splice(2, 2)) s.kill();
        const d = await destroyDocument(changed, {}, ctx());
        assert.equal(d.matches, true);
        assert.deepEqual(await rt.list(), []);
        assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), false);
        assert.deepEqual(
          agentPids(dir).filter((p) => !agentsBefore.has(p)),
          [],
          'no agent process left after destroy',
        );
        assert.deepEqual(await hostDump(sb), empty);
      } finally {
        for (const f of await rt.list()) await rt.stop(f.name);
        for (const s of servers) s.kill();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
