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
import { applyDocument, destroyDocument, destroyTopology, planForHost } from './pipeline';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';

const skip = kernelSkipReason();

test(
  'a veth into an external namespace (by PID): attached, kept, re-planned empty, removed; the namespace is never ours',
  { skip, timeout: 120_000 },
  async () => {
    await withSandbox('extns', async (sb) =>
      withStateDir(async (dir) => {
        const holder = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
        try {
          const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
          const ext = sb.ns('web');
          const doc = (ref: object): Topology =>
            ({
              apiVersion: 'netns-studio/v1',
              kind: 'Topology',
              name: sb.ns('lab'),
              metadata: {},
              bridges: [],
              forwarders: [],
              namespaces: [{ name: ext, external: ref, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] }],
              veths: [
                {
                  ends: [
                    { namespace: 'host', name: 'vx0', addresses: ['10.66.0.1/24'], up: true },
                    { namespace: ext, name: 'eth1', addresses: ['10.66.0.2/24'], up: true },
                  ],
                },
              ],
            }) as Topology;
          const inside = async () =>
            JSON.parse(await runOk(['nsenter', `--net=/proc/${holder.pid}/ns/net`, 'ip', '-j', 'addr'])) as {
              ifname: string;
              addr_info: { local: string }[];
            }[];

          const plan = await planForHost(doc({ pid: holder.pid }), ctx);
          assert.ok(
            !plan.steps.some((s) => s.argv[1] === 'netns'),
            `no namespace is created or deleted: ${plan.steps.map((s) => s.argv.join(' ')).join('; ')}`,
          );
          const r = await applyDocument(doc({ pid: holder.pid }), {}, ctx);
          assert.ok(r.matches, 'the host matches the document after apply');
          assert.deepEqual(
            (await inside())
              .find((l) => l.ifname === 'eth1')
              ?.addr_info.map((a) => a.local)
              .filter((a) => !a.includes(':')),
            ['10.66.0.2'],
            "the veth end is in the process's namespace",
          );
          assert.equal(existsSync(`/run/netns/${ext}`), false, 'no name is left behind');
          assert.equal((await sb.inHost(['ping', '-c', '1', '-W', '2', '10.66.0.2'])).code, 0, 'traffic passes into it');

          // by path (a namespace file, as Docker's bind mounts are): the same namespace, nothing to do
          assert.equal((await planForHost(doc({ path: `/proc/${holder.pid}/ns/net` }), ctx)).steps.length, 0, 're-plan by path is empty');
          assert.equal((await planForHost(doc({ pid: holder.pid }), ctx)).steps.length, 0, 're-plan by PID is empty');

          await destroyDocument(doc({ pid: holder.pid }), {}, ctx);
          assert.equal(
            (await inside()).some((l) => l.ifname === 'eth1'),
            false,
            'destroy removed the veth',
          );
          assert.equal(readlinkSync(`/proc/${holder.pid}/ns/net`), `net:[${holder.inode}]`, 'the namespace lives on with its process');
          assert.equal(existsSync(`/run/netns/${ext}`), false);

          // a process that is gone: refused, naming it
          await assert.rejects(planForHost(doc({ pid: 4_000_000 }), ctx), /no process 4000000/);
        } finally {
          await holder.kill();
        }
      }),
    );
  },
);

test('destroy by topology name attaches the recorded external namespaces; one whose process is gone is skipped', { skip, timeout: 120_000 }, async () => {
  await withSandbox('extnm', async (sb) =>
    withStateDir(async (dir) => {
      const a = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      const b = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      const c = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      try {
        const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
        const name = sb.ns('lab');
        const entry = (n: string, pid: number) => ({ name: sb.ns(n), external: { pid }, loopback: 'up', sysctls: {}, routes: [], nat: [], vrfs: [] });
        const end = (ns: string, ifname: string, addr: string) => ({ namespace: ns, name: ifname, addresses: [addr], up: true });
        // a↔c has both ends in external namespaces: removing it needs their names, which only the record has
        const doc = {
          apiVersion: 'netns-studio/v1',
          kind: 'Topology',
          name,
          metadata: {},
          bridges: [],
          forwarders: [],
          namespaces: [entry('a', a.pid), entry('b', b.pid), entry('c', c.pid)],
          veths: [
            { ends: [end(sb.ns('a'), 'eth1', '10.67.0.1/24'), end(sb.ns('c'), 'eth1', '10.67.0.2/24')] },
            { ends: [end(sb.ns('b'), 'eth1', '10.67.1.2/24'), end('host', 'vxb', '10.67.1.1/24')] },
          ],
        } as Topology;
        const has = async (pid: number) => (await runOk(['nsenter', `--net=/proc/${pid}/ns/net`, 'ip', '-br', 'link'])).includes('eth1');
        assert.ok((await applyDocument(doc, {}, ctx)).matches);
        assert.ok((await has(a.pid)) && (await has(b.pid)) && (await has(c.pid)));

        // b's process exits: its namespace and veth are gone with it
        await b.kill();
        const r = await destroyTopology({ name }, {}, ctx);
        assert.ok(r.ok);
        assert.equal(await has(a.pid), false, 'the veth between a and c was removed');
        assert.equal(await has(c.pid), false);
        assert.equal((await sb.inHost(['ip', 'link', 'show', 'vxb'])).code, 1, "b's host end went with b");
        assert.equal(readlinkSync(`/proc/${a.pid}/ns/net`), `net:[${a.inode}]`, 'a lives on with its process');
        assert.equal(
          ['a', 'b', 'c'].some((n) => existsSync(`/run/netns/${sb.ns(n)}`)),
          false,
          'no name left behind',
        );
        // and the topology is no longer applied: destroying again by name says so
        await assert.rejects(destroyTopology({ name }, {}, ctx), /no topology/);
      } finally {
        for (const h of [a, b, c]) await h.kill();
      }
    }),
  );
});
