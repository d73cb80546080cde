/**
 * Many topologies on one long-lived host, through the CLI, with ONE state dir
 * across the whole sequence (as a user's machine over an afternoon): apply A,
 * apply B, re-apply A, destroy B, A's namespaces deleted by hand, apply A again,
 * a record left by the previous version, a topology naming another's namespace,
 * a record that cannot be read. After each step the host dumps exactly like the
 * scenarios' own `ip` scripts for the topologies applied at that point; destroying
 * both gives back the host as before.
 */
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostDump, type HostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { applyScenarios, scenarioDoc } from '../../testing/apply-support';
import { cliPath, runCliInSandbox } from '../../testing/cli-runner';
import { TRUSTED_CLI } from '../../testing/trust-env';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping CLI topology tests: ${skip}`);

const scenario = (name: string) => applyScenarios().find((s) => s.name === name)!;

/** What the scenarios' reference scripts build, one after the other, in a sandbox of their own. */
async function referenceDumps(scripts: string[]): Promise<HostDump[]> {
  return withSandbox('ref', async (sb) => {
    const out: HostDump[] = [await hostDump(sb)];
    for (const s of scripts) {
      const r = await sb.bash(s);
      assert.equal(r.code, 0, r.stderr);
      out.push(await hostDump(sb));
    }
    return out;
  });
}

interface Listed {
  name: string;
  file?: string;
  appliedAt?: string;
  state: string;
  drift?: number;
  gone: string[];
  counts: { namespaces: number; total: number };
  migratedFrom?: string;
  problems: string[];
}

test('two topologies on one host, one state dir: scoped plans, reconcile, migration, refusal, unreadable record', { skip, timeout: 600_000 }, async () => {
  const [, refA, refAB] = await referenceDumps([scenario('03-bridge-lan').reference, scenario('06-client-server').reference]);
  await withSandbox('topos', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-topos-'));
    try {
      const stateDir = join(dir, 'state');
      const state = ['--state-dir', stateDir];
      const cli = (...args: string[]) => runCliInSandbox(sb, ...args, ...state);
      const list = async (): Promise<Listed[]> => {
        const r = await cli('list', '--format', 'json');
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout);
      };
      const fileA = join(dir, 'lab-a.yaml');
      const fileB = join(dir, 'lab-b.yaml');
      writeFileSync(fileA, stringify({ ...scenarioDoc('03-bridge-lan', sb), name: 'lab-a' }));
      // B has no name: it is topology lab-b, after its file
      writeFileSync(fileB, stringify(scenarioDoc('06-client-server', sb)));
      const before = await hostDump(sb);
      const aNames = [sb.ns('ns1'), sb.ns('ns2'), 'br0', 'veth1-br', 'veth2-br'];
      const mentionsA = (s: { namespace: string; argv: string[]; object: string }) =>
        aNames.some((n) => s.namespace === n || s.argv.includes(n) || s.object.includes(n));

      // 1. apply A
      const a1 = await cli('apply', fileA, '--yes');
      assert.equal(a1.code, 0, a1.stdout + a1.stderr);
      assert.match(a1.stdout, /^Topology "lab-a"/m);
      assert.deepEqual(await hostDump(sb), refA, 'after apply A');

      // 2. apply B: its plan shows nothing of A, and says where its name comes from
      const planB = await cli('plan', fileB, '--json');
      assert.equal(planB.code, 2, planB.stderr);
      const pb = JSON.parse(planB.stdout);
      assert.equal(pb.topology.name, 'lab-b');
      assert.equal(pb.topology.from, 'file');
      assert.ok(
        pb.notes.some((n: string) => /no top-level name: it is topology "lab-b", after its file/.test(n)),
        pb.notes.join('\n'),
      );
      assert.equal(pb.summary.delete, 0);
      assert.deepEqual(pb.steps.filter(mentionsA), [], 'the plan of B touches nothing of A');
      const b1 = await cli('apply', fileB, '--yes');
      assert.equal(b1.code, 0, b1.stdout + b1.stderr);
      assert.deepEqual(await hostDump(sb), refAB, 'after apply B');
      const l2 = await list();
      assert.deepEqual(
        l2.map((t) => [t.name, t.file, t.state]),
        [
          ['lab-a', fileA, 'in-sync'],
          ['lab-b', fileB, 'in-sync'],
        ],
      );
      assert.deepEqual(
        l2.map((t) => t.counts.namespaces),
        [2, 3],
      );
      assert.ok(l2.every((t) => !Number.isNaN(Date.parse(t.appliedAt!))));
      const text = await cli('list');
      assert.match(text.stdout, /^NAME\s+FILE\s+APPLIED AT\s+STATUS\s+OBJECTS$/m);
      assert.match(text.stdout, /^lab-a\s+\S+lab-a\.yaml\s+\S+\s+in sync\s+2 namespaces, /m);

      // 3. re-apply A: nothing to do (B's objects are not A's to remove)
      const a2 = await cli('apply', fileA, '--yes');
      assert.equal(a2.code, 0, a2.stdout + a2.stderr);
      assert.match(a2.stdout, /Nothing to do/);
      assert.deepEqual(await hostDump(sb), refAB, 'after re-apply A');

      // 3b. something of A changed by hand: list says drifted, status shows the step; apply A puts it back
      await sb.bash('ip link set dev br0 down');
      const l3 = await list();
      assert.deepEqual(
        l3.map((t) => [t.name, t.state, t.drift]),
        [
          ['lab-a', 'drifted', 1],
          ['lab-b', 'in-sync', 0],
        ],
      );
      assert.match((await cli('list')).stdout, /^lab-a .* drifted 1 /m);
      const st3 = await cli('status', 'lab-a');
      assert.equal(st3.code, 0, st3.stderr);
      assert.match(st3.stdout, /^Topology "lab-a": drifted 1$/m);
      assert.match(st3.stdout, /ip link set dev br0 up/);
      assert.equal((await cli('apply', fileA, '--yes')).code, 0);
      assert.deepEqual(await hostDump(sb), refAB, 'after apply A put br0 back up');

      // 4. destroy B by name, without its file
      const d1 = await cli('destroy', '--name', 'lab-b', '--yes');
      assert.equal(d1.code, 0, d1.stdout + d1.stderr);
      assert.deepEqual(await hostDump(sb), refA, 'after destroy B');
      assert.deepEqual(
        (await list()).map((t) => t.name),
        ['lab-a'],
      );

      // 5. A's namespaces deleted by hand: list says partly gone; apply A re-creates them, and says why
      // (the kernel frees them a moment later; plan waits for their veths' host ends to go)
      await sb.bash('ip netns del ${P}ns1; ip netns del ${P}ns2');
      const l5 = await list();
      assert.equal(l5[0].state, 'partly-gone');
      assert.ok(l5[0].gone.includes(`netns:${sb.ns('ns1')}`), JSON.stringify(l5[0]));
      assert.match((await cli('list')).stdout, /^lab-a .* partly gone \(\d+ of \d+\)/m);
      const planA = JSON.parse((await cli('plan', fileA, '--json')).stdout);
      assert.equal(planA.summary.delete, 0, 'nothing planned to remove what is already gone');
      const recreate = planA.steps.find((s: { argv: string[] }) => s.argv.join(' ') === `ip netns add ${sb.ns('ns1')}`);
      assert.match(recreate?.reason ?? '', /removed outside netns-studio/);
      const a3 = await cli('apply', fileA, '--yes');
      assert.equal(a3.code, 0, a3.stdout + a3.stderr);
      assert.match(a3.stdout, /The host matches/);
      assert.deepEqual(await hostDump(sb), refA, 'after apply A again');
      assert.equal((await list())[0].state, 'in-sync');

      // 6. a record left by the previous version: one host-wide owned.json (same entries as today's per-topology one)
      const scratch = join(dir, 'old-version');
      const bOld = await runCliInSandbox(sb, 'apply', fileB, '--yes', '--state-dir', scratch);
      assert.equal(bOld.code, 0, bOld.stderr);
      const oldRecord = readFileSync(join(scratch, 'topologies', 'lab-b', 'owned.json'), 'utf8');
      writeFileSync(join(stateDir, 'owned.json'), oldRecord);
      const l6 = await list();
      assert.deepEqual(
        l6.map((t) => [t.name, t.state]),
        [
          ['lab-a', 'in-sync'],
          ['legacy', 'in-sync'],
        ],
      );
      assert.equal(l6[1].file, undefined);
      assert.equal(l6[1].counts.namespaces, 3);
      assert.equal(readFileSync(join(stateDir, 'owned.pre-topologies.json'), 'utf8'), oldRecord, 'the old file is kept as it was');
      assert.equal(existsSync(join(stateDir, 'owned.json')), false);
      assert.deepEqual(await hostDump(sb), refAB, 'migration changes nothing on the host');
      // applying B's file takes its objects over from the migrated record: nothing to do, nothing lost
      const b2 = await cli('apply', fileB, '--yes');
      assert.equal(b2.code, 0, b2.stdout + b2.stderr);
      assert.match(b2.stdout, /takes over \d+ objects that the previous version's record/);
      assert.match(b2.stdout, /Nothing to do/);
      assert.deepEqual(
        (await list()).map((t) => [t.name, t.state]),
        [
          ['lab-a', 'in-sync'],
          ['lab-b', 'in-sync'],
        ],
      );

      // 7. a topology that names A's namespace is refused, naming A, its file and when it was applied
      const fileC = join(dir, 'lab-c.yaml');
      writeFileSync(
        fileC,
        stringify({
          apiVersion: 'netns-studio/v1',
          kind: 'Topology',
          name: 'lab-c',
          namespaces: [{ name: sb.ns('ns1'), sysctls: { 'net.ipv4.ip_forward': '1' } }],
        }),
      );
      const appliedAtA = (await list())[0].appliedAt!;
      for (const cmd of ['plan', 'apply']) {
        const c = await cli(cmd, fileC, ...(cmd === 'apply' ? ['--yes'] : []));
        assert.equal(c.code, 1, c.stdout);
        assert.match(
          c.stderr,
          new RegExp(
            `netns:${sb.ns('ns1')}[^;]* belongs? to topology "lab-a" \\(applied from ${fileA.replace(/[.]/g, '\\.')} at ${appliedAtA.replace(/[.]/g, '\\.')}\\)`,
          ),
        );
      }
      assert.deepEqual(await hostDump(sb), refAB, 'the refused topology changed nothing');

      // 8. B's record cannot be read: reported, kept aside (never overwritten), the host untouched
      const recordB = join(stateDir, 'topologies', 'lab-b', 'owned.json');
      const good = readFileSync(recordB, 'utf8');
      writeFileSync(recordB, '{"version": 1, "owned": [tor');
      const l8 = await cli('list', '--format', 'json');
      const b8 = (JSON.parse(l8.stdout) as Listed[]).find((t) => t.name === 'lab-b')!;
      const kept = /kept at (\S+)\)/.exec(b8.problems.join('\n'))?.[1];
      assert.ok(kept && existsSync(kept), JSON.stringify(b8.problems));
      assert.equal(readFileSync(kept, 'utf8'), '{"version": 1, "owned": [tor');
      const planBad = await cli('plan', fileB);
      assert.match(planBad.stdout + planBad.stderr, /an unreadable record file of topology "lab-b" is kept at/);
      // without its record, B's objects count as not created by netns-studio: apply claims none of them
      await cli('apply', fileB, '--yes');
      const after = existsSync(recordB) ? JSON.parse(readFileSync(recordB, 'utf8')) : { owned: [] };
      assert.deepEqual(after.owned, []);
      assert.equal(readFileSync(kept, 'utf8'), '{"version": 1, "owned": [tor', 'the kept copy is never overwritten');
      assert.deepEqual(await hostDump(sb), refAB, 'an unreadable record changes nothing on the host');
      // the person puts the good record back: B is whole again
      writeFileSync(recordB, good);
      rmSync(kept);
      assert.deepEqual(
        (await list()).map((t) => [t.name, t.state]),
        [
          ['lab-a', 'in-sync'],
          ['lab-b', 'in-sync'],
        ],
      );

      // 9. destroy both: the host as before
      for (const [args, ref] of [
        [['destroy', fileB], refA],
        [['destroy', '--name', 'lab-a'], before],
      ] as const) {
        const d = await cli(...args, '--yes');
        assert.equal(d.code, 0, d.stdout + d.stderr);
        assert.deepEqual(await hostDump(sb), ref, `after ${args.join(' ')}`);
      }
      assert.deepEqual(await list(), []);
      const status = await cli('status', 'lab-a');
      assert.equal(status.code, 1);
      assert.match(status.stderr, /no topology "lab-a" is applied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('one transaction at a time per state dir, whatever the topology; a stale lock does not block', { skip, timeout: 300_000 }, async () => {
  await withSandbox('toplock', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-toplock-'));
    try {
      const stateDir = join(dir, 'state');
      const fileA = join(dir, 'lab-a.yaml');
      const fileB = join(dir, 'lab-b.yaml');
      writeFileSync(fileA, stringify(scenarioDoc('03-bridge-lan', sb)));
      writeFileSync(fileB, stringify(scenarioDoc('06-client-server', sb)));
      const before = await hostDump(sb);
      // A, slowed down between steps (test-only), holds the state dir while it runs
      const slow = spawn(
        'nsenter',
        [`--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, TRUSTED_CLI, 'apply', fileA, '--yes', '--state-dir', stateDir],
        {
          env: { ...process.env, NETNS_STUDIO_TEST_DELAY_MS: '2000' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      const done = new Promise<number | null>((resolve) => slow.on('close', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        slow.stdout.on('data', (d: Buffer) => {
          out += d;
          if (/^\[\d+\/\d+\]/m.test(out)) resolve();
        });
        slow.on('close', () => reject(new Error(`apply A ended before it showed progress:\n${out}`)));
      });
      const b = await runCliInSandbox(sb, 'apply', fileB, '--yes', '--state-dir', stateDir);
      assert.equal(slow.exitCode, null, 'A was still running when B tried');
      assert.equal(b.code, 1, b.stdout);
      assert.match(b.stderr, /\(pid \d+\) is (applying right now|running on this state dir)/);
      assert.equal(await done, 0, out);
      assert.equal(existsSync(join(stateDir, 'transaction.lock')), false, 'the lock goes with its transaction');
      const afterA = await hostDump(sb);
      assert.equal(afterA.client, undefined, 'B changed nothing while refused');
      // a lock left by a process that died before writing its journal: stale, it does not block
      writeFileSync(join(stateDir, 'transaction.lock'), JSON.stringify({ pid: 2 ** 22 + 7, journal: join(stateDir, 'topologies', 'lab-b', 'journal.jsonl') }));
      const b2 = await runCliInSandbox(sb, 'apply', fileB, '--yes', '--state-dir', stateDir);
      assert.equal(b2.code, 0, b2.stdout + b2.stderr);
      for (const f of [fileA, fileB]) assert.equal((await runCliInSandbox(sb, 'destroy', f, '--yes', '--state-dir', stateDir)).code, 0);
      assert.deepEqual(await hostDump(sb), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
