/**
 * plan/apply/destroy on the real kernel: stale plans, unmanaged objects, objects
 * made by hand beside a topology, bad input, and a helper killed mid-apply.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Topology } from '../../shared/model/schema';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import type { ApplyContext } from './context';
import { hostEngine } from './engine';
import { ApplyFailure } from './failure';
import { readJournal } from './journal';
import { applyDocument, destroyDocument, planForHost } from './pipeline';
import { recover } from './recovery';
import { sandboxWrap, scenarioDoc, withStateDir } from '../../testing/apply-support';
import { commandFromArgv } from '../../shared/plan/legacy-argv';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping apply pipeline tests: ${skip}`);

const ctxFor = (sb: Sandbox, stateDir: string, extra: Partial<ApplyContext> = {}): ApplyContext => ({
  engine: hostEngine(),
  stateDir,
  wrap: sandboxWrap(sb),
  ...extra,
});
const isFailure = (code: string) => (e: unknown) => e instanceof ApplyFailure && e.code === code;

test('a plan made before the host changed is refused (stale hash), and nothing changes', { skip }, async () => {
  await withSandbox('stale', async (sb) => {
    await withStateDir(async (dir) => {
      const doc = scenarioDoc('04-router-nat', sb);
      const plan = await planForHost(doc, ctxFor(sb, dir));
      assert.equal(plan.planHash, (await planForHost(doc, ctxFor(sb, dir))).planHash, 'the hash is stable');
      await sb.bash('ip netns add ${P}ns1');
      const before = await hostDump(sb);
      await assert.rejects(applyDocument(doc, { planHash: plan.planHash }, ctxFor(sb, dir)), isFailure('plan-stale'));
      await assert.rejects(applyDocument(doc, { planHash: 'f'.repeat(64) }, ctxFor(sb, dir)), isFailure('plan-stale'));
      assert.deepEqual(await hostDump(sb), before);
    });
  });
});

test('objects made by hand beside a topology survive apply, re-apply and destroy; unmanaged changes need a name', { skip }, async () => {
  await withSandbox('hand', async (sb) => {
    await withStateDir(async (dir) => {
      // by hand: a namespace with a veth to host and addresses, and an address on a host bridge
      await sb.bash(`
        ip netns add \${P}mine
        ip link add name hand0 type veth peer name hand1 netns \${P}mine
        ip address add 172.30.0.1/24 dev hand0
        ip -n \${P}mine address add 172.30.0.2/24 dev hand1
        ip link set dev hand0 up
        ip link add name brhand type bridge
        ip address add 172.31.0.1/24 dev brhand`);
      const handmade = await hostDump(sb);
      const doc = scenarioDoc('03-bridge-lan', sb);
      await applyDocument(doc, {}, ctxFor(sb, dir));
      await applyDocument(doc, {}, ctxFor(sb, dir));
      const applied = await hostDump(sb);
      assert.deepEqual(applied.mine, handmade.mine);
      for (const l of ['hand0', 'brhand']) assert.deepEqual(applied.host.links[l], handmade.host.links[l]);
      assert.ok(applied.host.addresses.includes('hand0 172.30.0.1/24') && applied.host.addresses.includes('brhand 172.31.0.1/24'));
      await destroyDocument(doc, {}, ctxFor(sb, dir));
      assert.deepEqual(await hostDump(sb), handmade);

      // a document that wants the hand-made namespace's loopback up: that changes an object we did not make
      const wantsMine = Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: sb.ns('mine') }] });
      const plan = await planForHost(wantsMine, ctxFor(sb, dir));
      assert.equal(plan.summary.unmanaged, 1);
      assert.equal(plan.steps[0].unmanaged, true);
      await assert.rejects(
        applyDocument(wantsMine, { planHash: plan.planHash }, ctxFor(sb, dir)),
        (e: unknown) => isFailure('unmanaged')(e) && /loopback:/.test((e as Error).message),
      );
      assert.deepEqual(await hostDump(sb), handmade);
      const r = await applyDocument(wantsMine, { planHash: plan.planHash, allow: [`loopback:${sb.ns('mine')}`] }, ctxFor(sb, dir));
      assert.equal(r.matches, true);
      // destroy restores what we changed on it, and leaves the namespace (not ours)
      await destroyDocument(wantsMine, {}, ctxFor(sb, dir));
      assert.deepEqual(await hostDump(sb), handmade);
    });
  });
});

test('bad input never changes the host: invalid documents, shell-breaking names, bad addresses', { skip }, async () => {
  await withSandbox('badin', async (sb) => {
    await withStateDir(async (dir) => {
      const before = await hostDump(sb);
      const base = { apiVersion: 'netns-studio/v1', kind: 'Topology' };
      const bad: unknown[] = [
        { ...base, namespaces: [{ name: 'a;rm -rf /' }] },
        { ...base, namespaces: [{ name: '$(x)' }] },
        { ...base, namespaces: [{ name: 'a\nb' }] },
        {
          ...base,
          namespaces: [{ name: sb.ns('n1') }],
          veths: [
            {
              ends: [
                { namespace: sb.ns('n1'), name: 'x`y`', addresses: [] },
                { namespace: 'host', name: 'h0' },
              ],
            },
          ],
        },
        {
          ...base,
          namespaces: [{ name: sb.ns('n1') }],
          veths: [
            {
              ends: [
                { namespace: sb.ns('n1'), name: 'e0', addresses: ['10.0.0.300/24'] },
                { namespace: 'host', name: 'h0' },
              ],
            },
          ],
        },
        {
          ...base,
          namespaces: [{ name: sb.ns('n1') }],
          veths: [
            {
              ends: [
                { namespace: sb.ns('n1'), name: 'e0', addresses: ['10.0.0.1/33'] },
                { namespace: 'host', name: 'h0' },
              ],
            },
          ],
        },
        { ...base, namespaces: [{ name: sb.ns('n1'), routes: [{ to: 'default', via: '10.9.9.9' }] }] },
        { ...base, kind: 'Nope' },
        { ...base, unknownField: 1 },
        'not a document',
      ];
      for (const doc of bad) {
        await assert.rejects(planForHost(doc, ctxFor(sb, dir)), isFailure('invalid-document'), JSON.stringify(doc));
        await assert.rejects(applyDocument(doc, {}, ctxFor(sb, dir)), isFailure('invalid-document'));
        await assert.rejects(destroyDocument(doc, {}, ctxFor(sb, dir)), isFailure('invalid-document'));
      }
      assert.deepEqual(await hostDump(sb), before);
    });
  });
});

test('a kernel failure mid-apply reports the step, its command and the kernel text, and rolls back', { skip }, async () => {
  await withSandbox('kfail', async (sb) => {
    await withStateDir(async (dir) => {
      // an interface of that name already sits in the way, made after the plan was shown
      const doc = scenarioDoc('04-router-nat', sb);
      const before = await hostDump(sb);
      const ctx = ctxFor(sb, dir);
      // a real failure: the router's veth end exists in ns-router as something else, created between plan and run
      const real = hostEngine();
      ctx.engine = {
        ...real,
        plan: (d, o, owned) => {
          const steps = real.plan(d, o, owned);
          return [
            ...steps.slice(0, 4),
            { ...steps[4], ...commandFromArgv(steps[4].namespace, ['ip', 'link', 'set', 'dev', 'nosuch0', 'up']) },
            ...steps.slice(5),
          ];
        },
      };
      await assert.rejects(applyDocument(doc, {}, ctx), (e: unknown) => {
        assert.ok(isFailure('step-failed')(e));
        const d = (e as ApplyFailure).failure.detail as { index: number; argv: string[]; stderr: string; rolledBack: boolean };
        assert.equal(d.index, 4);
        assert.deepEqual(d.argv, ['ip', 'link', 'set', 'dev', 'nosuch0', 'up']);
        assert.match(d.stderr, /Cannot find device "nosuch0"/);
        assert.equal(d.rolledBack, true);
        return true;
      });
      assert.deepEqual(await hostDump(sb), before);
      assert.equal(readJournal(dir), undefined);
    });
  });
});

test('the helper killed (SIGKILL) at a random step: recovery leaves the host as before', { skip }, async () => {
  await withSandbox('kill', async (sb) => {
    await withStateDir(async (dir) => {
      const before = await hostDump(sb);
      const doc = scenarioDoc('04-router-nat', sb);
      const file = join(dir, 'topology.yaml');
      writeFileSync(file, stringify(doc));
      const cli = join(import.meta.dirname, '../../bin/netns-studio.mjs');
      for (const [i, sequential] of [
        [1, true],
        [2, false],
        [3, true],
      ] as const) {
        // progress comes per batch (~6 for this plan): kill before the last, so the apply is really half done
        const killAt = 1 + Math.floor(Math.random() * 3);
        const child = spawn(
          'nsenter',
          [`--net=/run/netns/${sb.hostNs}`, process.execPath, cli, 'apply', file, '--yes', '--state-dir', dir, ...(sequential ? ['--sequential'] : [])],
          {
            env: { ...process.env, NETNS_STUDIO_TEST_DELAY_MS: '40' },
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        let seen = 0;
        let out = '';
        await new Promise<void>((resolve) => {
          child.stdout.on('data', (d: Buffer) => {
            out += d;
            seen = (out.match(/^\[\d+\/\d+\]/gm) ?? []).length;
            if (seen >= killAt && child.exitCode === null) child.kill('SIGKILL');
          });
          child.on('close', () => resolve());
        });
        assert.ok(seen >= 1, `run ${i}: the helper showed progress before dying:\n${out}`);
        const st = readJournal(dir);
        assert.ok(st, `run ${i}: killed after ${seen} progress lines, a journal is left`);
        assert.notDeepEqual(await hostDump(sb), before, 'the kill really interrupted a half-done apply');
        const rep = await recover(dir, { wrap: sandboxWrap(sb) });
        assert.equal(rep?.outcome, 'rolled-back');
        assert.deepEqual(await hostDump(sb), before, `run ${i}: killed after ${seen} progress lines, recovery restores the host`);
      }
    });
  });
});

test('re-applying a changed document removes what we created and it no longer has (transactionally)', { skip }, async () => {
  await withSandbox('change', async (sb) => {
    await withStateDir(async (dir) => {
      const v1 = scenarioDoc('03-bridge-lan', sb);
      await applyDocument(v1, {}, ctxFor(sb, dir));
      // v2: ns2 and its veth are gone, ns1 has another address
      const v2 = Topology.parse({
        ...v1,
        namespaces: v1.namespaces!.filter((n) => n.name === sb.ns('ns1')),
        veths: v1
          .veths!.filter((v) => v.ends.some((e) => e.namespace === sb.ns('ns1')))
          .map((v) => ({ ends: v.ends.map((e) => (e.namespace === sb.ns('ns1') ? { ...e, addresses: ['192.168.0.12/24'] } : e)) as typeof v.ends })),
      });
      const before = await hostDump(sb);
      const plan = await planForHost(v2, ctxFor(sb, dir));
      assert.equal(plan.summary.unmanaged, 0);
      assert.ok(plan.steps.some((s) => s.argv.join(' ') === `ip netns del ${sb.ns('ns2')}`));
      for (let k = 0; k < plan.steps.length; k++) {
        await assert.rejects(applyDocument(v2, {}, ctxFor(sb, dir, { failAtStep: k })), isFailure('step-failed'));
        assert.deepEqual(await hostDump(sb), before, `failure at step ${k + 1} (${plan.steps[k].reason}) was not rolled back`);
      }
      const r = await applyDocument(v2, {}, ctxFor(sb, dir));
      assert.equal(r.matches, true);
      const after = await hostDump(sb);
      assert.equal(after.ns2, undefined);
      assert.equal(after.host.links['veth2-br'], undefined);
      assert.deepEqual(
        after.ns1.addresses.filter((a) => a.startsWith('veth1')),
        ['veth1 192.168.0.12/24'],
      );
      assert.deepEqual((await planForHost(v2, ctxFor(sb, dir))).steps, []);
      await destroyDocument(v2, {}, ctxFor(sb, dir));
      const empty = await hostDump(sb);
      assert.deepEqual(Object.keys(empty), ['host']);
      assert.deepEqual(Object.keys(empty.host.links), ['lo']);
    });
  });
});
