import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Step } from '../../shared/model/step';
import { recordApplied } from './ledger';
import { emptyOwnership, saveOwnership } from './store';
import { isApplied, LEGACY_KEPT, listRecords, migrateLegacyRecord, noteApplied, noteDestroyed, readHistory, readRecord, topologyDir } from './topologies';
import { commandFromArgv } from '../../shared/plan/legacy-argv';

const s = (namespace: string, argv: string, undo: string, object: string): Step => ({
  ...commandFromArgv(namespace, argv.split(' ')),
  undo: [commandFromArgv(namespace, undo.split(' '))],
  reason: 'r',
  object,
  action: 'create',
});
const old = recordApplied(
  emptyOwnership(),
  [
    s('host', 'ip netns add n1', 'ip netns del n1', 'netns:n1'),
    s('host', 'ip link add name v0 type veth peer name v1 netns n1', 'ip link del dev v0', 'link:host/v0'),
  ],
  [0, 1],
);

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'nss-topo-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the previous version\'s single record becomes topology "legacy", losing nothing; the old file is kept', () => {
  withDir((dir) => {
    const text = JSON.stringify(old, null, 1) + '\n';
    writeFileSync(join(dir, 'owned.json'), text);
    utimesSync(join(dir, 'owned.json'), new Date('2026-11-30T10:00:00Z'), new Date('2026-11-30T10:00:00Z'));
    const m = migrateLegacyRecord(dir);
    assert.deepEqual(m, { name: 'legacy', keptAt: join(dir, LEGACY_KEPT) });
    assert.equal(readFileSync(join(dir, LEGACY_KEPT), 'utf8'), text);
    assert.equal(existsSync(join(dir, 'owned.json')), false);
    const r = readRecord(dir, 'legacy');
    assert.deepEqual(r.ownership, old);
    assert.equal(r.meta.appliedAt, '2026-11-30T10:00:00.000Z');
    assert.equal(r.meta.migratedFrom, join(dir, LEGACY_KEPT));
    assert.equal(r.document, undefined);
    assert.ok(isApplied(r));
    assert.match(readHistory(r.dir)[0].note ?? '', /previous version's single record .*: 3 objects, 2 commands/);
    // done once: a second look changes nothing
    assert.equal(migrateLegacyRecord(dir), undefined);
    assert.deepEqual(
      listRecords(dir).map((x) => x.name),
      ['legacy'],
    );
  });
});

test('migration: the name "legacy" taken gives legacy-2; a crash after the new record appeared does not duplicate it', () => {
  withDir((dir) => {
    saveOwnership(topologyDir(dir, 'legacy'), old);
    writeFileSync(join(dir, 'owned.json'), JSON.stringify(old));
    assert.equal(migrateLegacyRecord(dir)?.name, 'legacy-2');
    // as if the old file had not been moved yet when the process died
    writeFileSync(join(dir, 'owned.json'), JSON.stringify(old));
    rmSync(join(dir, LEGACY_KEPT));
    assert.equal(migrateLegacyRecord(dir)?.name, 'legacy-2');
    assert.deepEqual(readdirSync(join(dir, 'topologies')).sort(), ['legacy', 'legacy-2']);
  });
});

test('migration waits for an unfinished old journal (recovery writes into the old record first)', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'owned.json'), JSON.stringify(old));
    writeFileSync(join(dir, 'journal.jsonl'), '');
    assert.equal(migrateLegacyRecord(dir), undefined);
    assert.ok(existsSync(join(dir, 'owned.json')));
  });
});

test('an unreadable old record is moved aside, kept byte for byte, and reported', () => {
  withDir((dir) => {
    writeFileSync(join(dir, 'owned.json'), '{"version": 1, "ow');
    const m = migrateLegacyRecord(dir);
    assert.ok(m?.problem);
    assert.match(m.problem.error, /not JSON/);
    assert.equal(readFileSync(m.keptAt, 'utf8'), '{"version": 1, "ow');
    assert.deepEqual(listRecords(dir), []);
  });
});

test('an unreadable topology record is moved aside (never overwritten), reported once, listed as kept afterwards', () => {
  withDir((dir) => {
    const d = topologyDir(dir, 'lab');
    mkdirSync(d, { recursive: true });
    noteApplied(d, 'lab', { file: '/x/lab.yaml', document: { name: 'lab' }, steps: 2, applied: 2, skipped: 0 });
    writeFileSync(join(d, 'owned.json'), '[not a record');
    const r = readRecord(dir, 'lab');
    assert.equal(r.problems.length, 1);
    assert.equal(readFileSync(r.problems[0].keptAt, 'utf8'), '[not a record');
    assert.deepEqual(r.ownership, emptyOwnership());
    assert.equal(r.meta.file, '/x/lab.yaml');
    const again = readRecord(dir, 'lab');
    assert.deepEqual(again.problems, []);
    assert.deepEqual(again.keptAside, [r.problems[0].keptAt]);
    // a second bad file goes beside the first, never over it
    writeFileSync(join(d, 'owned.json'), 'also bad');
    const third = readRecord(dir, 'lab');
    assert.equal(third.keptAside.length, 2);
    assert.equal(readFileSync(r.problems[0].keptAt, 'utf8'), '[not a record');
    assert.deepEqual(
      readHistory(d).map((h) => h.action),
      ['apply', 'record-unreadable', 'record-unreadable'],
    );
  });
});

test('a destroyed topology keeps its history and is no longer applied; names that are not names are refused', () => {
  withDir((dir) => {
    const d = topologyDir(dir, 'lab');
    noteApplied(d, 'lab', { file: '/x/lab.yaml', document: {}, steps: 1, applied: 1, skipped: 0 });
    assert.ok(isApplied(readRecord(dir, 'lab')));
    noteDestroyed(d, 'lab', { steps: 1, applied: 1, skipped: 0 });
    const r = readRecord(dir, 'lab');
    assert.equal(isApplied(r), false);
    assert.equal(r.document, undefined);
    assert.deepEqual(
      readHistory(d).map((h) => h.action),
      ['apply', 'destroy'],
    );
    noteApplied(d, 'lab', { steps: 0, applied: 0, skipped: 0 });
    assert.ok(isApplied(readRecord(dir, 'lab')), 'applied again');
    for (const bad of ['../x', '.', '', 'a/b', '-x']) assert.throws(() => topologyDir(dir, bad), /topology name/);
  });
});
