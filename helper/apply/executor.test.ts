import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { hostDump } from '../../testing/host-dump';
import { executeSteps } from './executor';
import type { ApplyProgress } from '../../shared/protocol/methods';
import { ApplyFailure } from './failure';
import { Journal, readJournal } from './journal';
import { recover } from './recovery';
import { sampleSteps, sandboxWrap, step, withStateDir } from '../../testing/apply-support';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping executor kernel tests: ${skip}`);

test('executor applies a topology in batches and lanes, with progress', { skip }, async () => {
  await withSandbox('exec', async (sb) => {
    const steps = sampleSteps(sb);
    const seen: ApplyProgress[] = [];
    const r = await executeSteps(steps, { wrap: sandboxWrap(sb), onProgress: (p) => seen.push(p) });
    assert.equal(r.ok, true, JSON.stringify(r));
    const d = await hostDump(sb);
    assert.deepEqual(d.ns1.addresses, ['lo 127.0.0.1/8', 'lo ::1/128', 'veth1 10.0.0.2/24']);
    assert.equal(d.ns1.links.veth1.up, true);
    assert.equal(d.ns1.links.lo.up, true);
    assert.ok(d.ns1.routes.some((x) => x.includes('default') && x.includes('gateway=10.0.0.1')));
    assert.equal(d.host.links.veth0.peer, 'ns1/veth1');
    assert.equal(d.host.links.vr0.master, 'br0');
    assert.equal(d.rt.sysctl['net.ipv4.ip_forward'], '1');
    assert.deepEqual(d.rt.nat, ['-A POSTROUTING -s 10.1.0.0/24 -o vr1 -j MASQUERADE']);
    assert.deepEqual(d.ns1.resolv, ['nameserver 10.3.9.4']);
    assert.equal(seen.at(-1)?.index, steps.length);
    assert.ok(seen.every((p, i) => i === 0 || p.index >= seen[i - 1].index));
  });
});

test('a failure injected at every step index leaves the host exactly as before', { skip }, async () => {
  await withSandbox('inject', async (sb) => {
    const before = await hostDump(sb);
    const steps = sampleSteps(sb);
    for (let k = 0; k < steps.length; k++) {
      for (const parallel of k % 2 ? [true] : [true, false]) {
        const r = await executeSteps(steps, { wrap: sandboxWrap(sb), failAtStep: k, parallel });
        assert.equal(r.ok, false);
        if (r.ok) continue;
        assert.equal(r.error.code, 'step-failed');
        const detail = r.error.detail as { index: number; rolledBack: boolean; rollbackErrors: unknown[] };
        assert.equal(detail.index, k);
        assert.equal(detail.rolledBack, true, JSON.stringify(detail.rollbackErrors));
        assert.deepEqual(await hostDump(sb), before, `after failure at step ${k} (parallel ${parallel})`);
        assert.equal(existsSync(`/etc/netns/${sb.ns('ns1')}`), false);
      }
    }
  });
});

test('a kernel error names the step, its command and the kernel text, and rolls back', { skip }, async () => {
  await withSandbox('kerr', async (sb) => {
    const before = await hostDump(sb);
    const steps = sampleSteps(sb);
    steps.splice(6, 0, step(sb.ns('ns1'), ['ip', 'address', 'add', '10.0.0.9/24', 'dev', 'nosuch0'], [], 'addr:x'));
    const r = await executeSteps(steps, { wrap: sandboxWrap(sb) });
    assert.equal(r.ok, false);
    if (r.ok) return;
    const d = r.error.detail as { index: number; argv: string[]; namespace: string; stderr: string; rolledBack: boolean };
    assert.equal(d.index, 6);
    assert.deepEqual(d.argv, ['ip', 'address', 'add', '10.0.0.9/24', 'dev', 'nosuch0']);
    assert.equal(d.namespace, sb.ns('ns1'));
    assert.match(d.stderr, /Cannot find device "nosuch0"/);
    assert.equal(d.rolledBack, true);
    assert.match(r.error.message, /step 7 of/);
    assert.deepEqual(await hostDump(sb), before);
  });
});

test('bad steps are refused before anything runs', { skip }, async () => {
  await withSandbox('badstep', async (sb) => {
    const before = await hostDump(sb);
    const bad: string[][] = [
      ['ip', 'link', 'add', 'name', 'a;rm -rf /', 'type', 'dummy'],
      ['ip', 'link', 'add', 'name', '$(x)', 'type', 'dummy'],
      ['ip', 'link', 'add', 'name', 'a\nnetns', 'type', 'dummy'],
      ['ip', 'link', 'add', 'name', 'a"b', 'type', 'dummy'],
      ['ip', 'netns', 'exec', 'x', 'sh'],
      ['ip', '-batch', '/etc/passwd'],
      ['ip', 'netns', 'add', '../../etc'],
      ['sh', '-c', 'true'],
      ['sysctl', '-w', 'kernel.core_pattern=|/tmp/x'],
      ['iptables', '-t', 'filter', '-F'],
      ['write-file', '/etc/passwd', 'x'],
      ['forwarder-start', 'x', '{'],
    ];
    for (const argv of bad) {
      const steps = [...sampleSteps(sb), step('host', argv, [], 'x')];
      await assert.rejects(
        executeSteps(steps, { wrap: sandboxWrap(sb) }),
        (e: unknown) => e instanceof ApplyFailure && e.code === 'invalid-step',
        argv.join(' '),
      );
    }
    const badNs = [step('a;b', ['ip', 'link', 'set', 'dev', 'lo', 'up'], [], 'x')];
    await assert.rejects(executeSteps(badNs), (e: unknown) => e instanceof ApplyFailure && e.code === 'invalid-step');
    const badUndo = [step('host', ['ip', 'link', 'add', 'name', 'ok0', 'type', 'bridge'], [['host', ['ip', 'link', 'del', '`x`']]], 'x')];
    await assert.rejects(executeSteps(badUndo, { wrap: sandboxWrap(sb) }), /undo 1 of step 1/);
    assert.deepEqual(await hostDump(sb), before);
  });
});

test('journal: a helper killed mid-apply is rolled back by recover()', { skip }, async () => {
  await withSandbox('journal', async (sb) => {
    await withStateDir(async (dir) => {
      const before = await hostDump(sb);
      const steps = sampleSteps(sb);
      // Simulate a death after 9 steps: run them through a journal that is never finished.
      const j = Journal.begin(dir, 'apply', steps);
      const r = await executeSteps(steps.slice(0, 9), { wrap: sandboxWrap(sb), journal: j });
      assert.equal(r.ok, true);
      j.write({ t: 'run', idx: [9, 10] }); // started, never seen finishing
      const st = readJournal(dir)!;
      assert.equal(st.done.size, 9);
      assert.notDeepEqual(await hostDump(sb), before);
      await assert.rejects(async () => Journal.begin(dir, 'apply', steps), /unfinished apply journal/);
      const rep = await recover(dir, { wrap: sandboxWrap(sb) });
      assert.equal(rep?.outcome, 'rolled-back');
      assert.deepEqual(rep?.errors, []);
      assert.deepEqual(await hostDump(sb), before);
      assert.equal(readJournal(dir), undefined);
      assert.equal(await recover(dir), undefined);
      assert.ok(readFileSync(`${dir}/journal.last.jsonl`, 'utf8').includes('"rollback"'));
    });
  });
});

test('journal: a journal of the previous version (steps as argv, no operations) is still rolled back', { skip }, async () => {
  await withSandbox('oldjournal', async (sb) => {
    await withStateDir(async (dir) => {
      const before = await hostDump(sb);
      const steps = sampleSteps(sb);
      // the shape the previous version wrote: {namespace, argv, undo: [{namespace, argv}]}
      const old = steps.map(({ op: _op, undo, ...rest }) => ({ ...rest, undo: undo.map(({ op: _u, ...u }) => u) }));
      const j = Journal.begin(dir, 'apply', old as unknown as typeof steps);
      const r = await executeSteps(steps.slice(0, 9), { wrap: sandboxWrap(sb), journal: j });
      assert.equal(r.ok, true);
      assert.ok(!readFileSync(`${dir}/journal.jsonl`, 'utf8').includes('"op"'), 'the begin record holds no operations');
      assert.notDeepEqual(await hostDump(sb), before);
      const rep = await recover(dir, { wrap: sandboxWrap(sb) });
      assert.equal(rep?.outcome, 'rolled-back');
      assert.deepEqual(rep?.errors, []);
      assert.deepEqual(await hostDump(sb), before);
    });
  });
});

test('journal: recover in finish mode completes the apply', { skip }, async () => {
  await withSandbox('finish', async (sb) => {
    await withStateDir(async (dir) => {
      const steps = sampleSteps(sb);
      const full = await (async () => {
        const r = await executeSteps(steps, { wrap: sandboxWrap(sb) });
        assert.equal(r.ok, true);
        const d = await hostDump(sb);
        await executeSteps([], {});
        return d;
      })();
      // tear down by hand, then replay a half-finished journal
      const { rollback } = await import('./executor');
      await rollback(
        steps,
        steps.map((_, i) => i),
        { wrap: sandboxWrap(sb) },
      );
      const j = Journal.begin(dir, 'apply', steps);
      await executeSteps(steps.slice(0, 5), { wrap: sandboxWrap(sb), journal: j });
      j.write({ t: 'run', idx: [5] });
      await executeSteps([steps[5]], { wrap: sandboxWrap(sb) }); // the in-flight step did take effect
      const rep = await recover(dir, { wrap: sandboxWrap(sb), mode: 'finish' });
      assert.equal(rep?.outcome, 'finished', JSON.stringify(rep));
      assert.deepEqual(await hostDump(sb), full);
    });
  });
});

test('non-kernel programs go to their handler; a handler failure rolls back through the handlers', async () => {
  const fw = (name: string) =>
    JSON.stringify({
      name,
      protocol: 'tcp',
      listen: { namespace: 'host', address: '127.0.0.1', port: 8000 },
      target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
    });
  const start = (name: string) => step('host', ['forwarder-start', name, fw(name)], [['host', ['forwarder-stop', name]]], `forwarder:${name}`);
  const calls: string[] = [];
  const handlers = {
    'forwarder-start': async (c: { argv: string[] }) => (calls.push(`start ${c.argv[1]}`), c.argv[1] === 'b' ? 'port 8000 is taken' : undefined),
    'forwarder-stop': async (c: { argv: string[] }) => (calls.push(`stop ${c.argv[1]}`), undefined),
  };
  const r = await executeSteps([start('a'), start('b')], { handlers });
  assert.equal(r.ok, false);
  assert.deepEqual(calls, ['start a', 'start b', 'stop a']);
  assert.match(!r.ok ? r.error.message : '', /step 2 of 2 failed .*port 8000 is taken/);
});
