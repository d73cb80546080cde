/**
 * Scoped planning without a kernel: the real planner and records, against a host
 * given as a document (what discover would have seen). Removals come only from
 * the topology's own record, and only for what is still there; what is gone is
 * re-created with its reason; another topology's objects are refused by name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, type TopologyInput } from '../../shared/model/schema';
import type { Step } from '../../shared/model/step';
import { recordApplied } from '../ownership/ledger';
import { emptyOwnership, saveOwnership } from '../ownership/store';
import { noteApplied, topologyDir } from '../ownership/topologies';
import type { ApplyContext } from './context';
import { hostEngine } from './engine';
import { ApplyFailure } from './failure';
import type { HostView } from './observe';
import { planForHost } from './pipeline';
import { netnsAdd, netnsDel } from '../../shared/plan/commands';

const doc = (t: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...t });
const add = (ns: string): Step => ({ ...netnsAdd(ns), undo: [netnsDel(ns)], reason: 'r', object: `netns:${ns}`, action: 'create' });

function setup(host: Topology): { dir: string; ctx: ApplyContext } {
  const dir = mkdtempSync(join(tmpdir(), 'nss-scoped-'));
  const view: HostView = { doc: host, bareLoopback: [], warnings: [] };
  const engine = { ...hostEngine(), discover: async () => ({ observed: view, facts: {} }) };
  return { dir, ctx: { engine, stateDir: dir, features: { vrf: true, iptables: true } } };
}

function record(dir: string, name: string, namespaces: string[], file: string): void {
  const d = topologyDir(dir, name);
  saveOwnership(
    d,
    recordApplied(
      emptyOwnership(),
      namespaces.map(add),
      namespaces.map((_, i) => i),
    ),
  );
  noteApplied(d, name, { file, steps: namespaces.length, applied: namespaces.length, skipped: 0 });
}

test("a plan removes only what its own topology created and the host still has; never another topology's", async () => {
  const host = doc({
    namespaces: [
      { name: 'a1', loopback: 'down' },
      { name: 'b1', loopback: 'down' },
      { name: 'b-old', loopback: 'down' },
    ],
  });
  const { dir, ctx } = setup(host);
  try {
    record(dir, 'lab-a', ['a1'], '/x/lab-a.yaml');
    record(dir, 'lab-b', ['b1', 'b-old', 'b-gone'], '/x/lab-b.yaml');
    const p = await planForHost(doc({ name: 'lab-b', namespaces: [{ name: 'b1', loopback: 'down' }] }), ctx);
    assert.deepEqual(
      p.steps.map((s) => s.argv.join(' ')),
      ['ip netns del b-old'],
    );
    assert.deepEqual(p.gone, ['netns:b-gone']);
    assert.ok(
      p.notes.some((n) => /1 recorded object\(s\) are gone from the host \(removed outside netns-studio\): netns:b-gone/.test(n)),
      p.notes.join('\n'),
    );
    // the same document under another name is another topology: its record is empty, nothing to remove
    const other = await planForHost(doc({ name: 'lab-z', namespaces: [{ name: 'z1', loopback: 'down' }] }), ctx);
    assert.deepEqual(
      other.steps.map((s) => s.argv.join(' ')),
      ['ip netns add z1'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('what the record has and the host lost is re-created, saying so', async () => {
  const { dir, ctx } = setup(doc({}));
  try {
    record(dir, 'lab-b', ['b1'], '/x/lab-b.yaml');
    const p = await planForHost(doc({ name: 'lab-b', namespaces: [{ name: 'b1', loopback: 'down' }] }), ctx);
    assert.equal(p.steps.length, 1);
    assert.equal(p.steps[0].argv.join(' '), 'ip netns add b1');
    assert.match(p.steps[0].reason, /\(removed outside netns-studio\)$/);
    assert.equal(p.summary.delete, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a document naming another topology's namespace is refused with its name, file and time; the name from the file is noted", async () => {
  const { dir, ctx } = setup(doc({ namespaces: [{ name: 'a1', loopback: 'down' }] }));
  try {
    record(dir, 'lab-a', ['a1'], '/x/lab-a.yaml');
    const when = JSON.parse(readFileSync(join(topologyDir(dir, 'lab-a'), 'topology.json'), 'utf8')).appliedAt;
    await assert.rejects(planForHost(doc({ namespaces: [{ name: 'a1' }, { name: 'c1' }] }), ctx, { file: '/y/lab c.yaml' }), (e: unknown) => {
      assert.ok(e instanceof ApplyFailure && e.code === 'owned-elsewhere');
      assert.match(
        e.message,
        /^topology "lab-c" cannot use objects of another topology: netns:a1, loopback:a1 belong to topology "lab-a" \(applied from \/x\/lab-a\.yaml at /,
      );
      assert.ok(e.message.includes(when));
      return true;
    });
    const p = await planForHost(doc({ namespaces: [{ name: 'c1', loopback: 'down' }] }), ctx, { file: '/y/lab c.yaml' });
    assert.deepEqual(p.topology, { name: 'lab-c', from: 'file', file: '/y/lab c.yaml' });
    assert.match(p.notes[0], /no top-level name: it is topology "lab-c", after its file \/y\/lab c\.yaml/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('two files of the same base name are not one topology: the second, without a name of its own, is refused', async () => {
  const { dir, ctx } = setup(doc({ namespaces: [{ name: 't1', loopback: 'down' }] }));
  try {
    record(dir, 'topology', ['t1'], '/labs/a/topology.yaml');
    const other = doc({ namespaces: [{ name: 't2', loopback: 'down' }] });
    await assert.rejects(planForHost(other, ctx, { file: '/labs/b/topology.yaml' }), (e: unknown) => {
      assert.ok(e instanceof ApplyFailure && e.code === 'name-taken', String(e));
      assert.match(e.message, /would be topology "topology" \(after its file name\); but topology "topology" was applied from \/labs\/a\/topology\.yaml at /);
      return true;
    });
    // the browser knows only a file's name: the same name is the same file
    record(dir, 'lab', ['l1'], 'lab.yaml');
    assert.equal((await planForHost(doc({ namespaces: [{ name: 'l1', loopback: 'down' }] }), ctx, { file: '/home/me/lab.yaml' })).topology.name, 'lab');
    await assert.rejects(
      planForHost(doc({ namespaces: [{ name: 'l1', loopback: 'down' }] }), ctx, { file: '/home/me/other/labs.yaml' }),
      /belongs to topology "lab"/,
    );
    // the same file again is the same topology; a document that says the name itself is that topology, moved
    assert.deepEqual((await planForHost(doc({ namespaces: [{ name: 't1', loopback: 'down' }] }), ctx, { file: '/labs/a/topology.yaml' })).steps, []);
    const moved = await planForHost(doc({ name: 'topology', namespaces: [{ name: 't1', loopback: 'down' }] }), ctx, { file: '/labs/b/topology.yaml' });
    assert.deepEqual(moved.steps, []);
    assert.ok(
      moved.notes.some((n) => /was last applied from \/labs\/a\/topology\.yaml .*; this plan makes the host match \/labs\/b\/topology\.yaml instead/.test(n)),
      moved.notes.join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
