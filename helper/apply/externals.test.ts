/**
 * A document that refers to a namespace it does not own (an `unshare -n` process,
 * standing for a container): apply attaches a veth into it and never creates or
 * deletes it; no name is left in /run/netns; a re-plan is empty; destroy removes
 * the veth and leaves the namespace to its process. One state dir throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readlinkSync } from 'node:fs';
import type { Topology } from '../../shared/model/schema';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { startHolder } from '../../testing/ns-holders';
import { runOk } from '../../testing/run';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';

const skip = kernelSkipReason();

test('a veth into an external namespace (by PID): attached, kept, re-planned empty, removed; the namespace is never ours', { skip, timeout: 120_000 }, async () => {
  await withSandbox('extns', async (sb) => withStateDir(async (dir) => {
    const holder = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
    try {
      const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
      const ext = sb.ns('web');
      const doc = (ref: object): Topology => ({
        apiVersion: 'netns-studio/v1', kind: 'Topology', name: sb.ns('lab'), metadata: {}, bridges: [], forwarders: [],
        namespaces: [{ name: ext, external: ref, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] }],
        veths: [{ ends: [{ namespace: 'host', name: 'vx0', addresses: ['10.66.0.1/24'], up: true }, { namespace: ext, name: 'eth1', addresses: ['10.66.0.2/24'], up: true }] }],
      }) as Topology;
      const inside = async () => JSON.parse(await runOk(['nsenter', `--net=/proc/${holder.pid}/ns/net`, 'ip', '-j', 'addr'])) as { ifname: string; addr_info: { local: string }[] }[];

      const plan = await planForHost(doc({ pid: holder.pid }), ctx);
      assert.ok(!plan.steps.some((s) => s.argv[1] === 'netns'), `no namespace is created or deleted: ${plan.steps.map((s) => s.argv.join(' ')).join('; ')}`);
      const r = await applyDocument(doc({ pid: holder.pid }), {}, ctx);
      assert.ok(r.matches, 'the host matches the document after apply');
      assert.deepEqual((await inside()).find((l) => l.ifname === 'eth1')?.addr_info.map((a) => a.local).filter((a) => !a.includes(':')), ['10.66.0.2'], 'the veth end is in the process\'s namespace');
      assert.equal(existsSync(`/run/netns/${ext}`), false, 'no name is left behind');
      assert.equal((await sb.inHost(['ping', '-c', '1', '-W', '2', '10.66.0.2'])).code, 0, 'traffic passes into it');

      // by path (a namespace file, as Docker's bind mounts are): the same namespace, nothing to do
      assert.equal((await planForHost(doc({ path: `/proc/${holder.pid}/ns/net` }), ctx)).steps.length, 0, 're-plan by path is empty');
      assert.equal((await planForHost(doc({ pid: holder.pid }), ctx)).steps.length, 0, 're-plan by PID is empty');

      await destroyDocument(doc({ pid: holder.pid }), {}, ctx);
      assert.equal((await inside()).some((l) => l.ifname === 'eth1'), false, 'destroy removed the veth');
      assert.equal(readlinkSync(`/proc/${holder.pid}/ns/net`), `net:[${holder.inode}]`, 'the namespace lives on with its process');
      assert.equal(existsSync(`/run/netns/${ext}`), false);

      // a process that is gone: refused, naming it
      await assert.rejects(planForHost(doc({ pid: 4_000_000 }), ctx), /no process 4000000/);
    } finally {
      await holder.kill();
    }
  }));
});
