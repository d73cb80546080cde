import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { MIGRATIONS, migrateDocument, type Migration } from './migrations';
import { API_VERSION } from './schema';
import { loadTopology } from '../yaml/load';
import { saveTopology } from '../yaml/save';
import { checkTopologyText } from '../validate/check';
import { exportYaml } from '../export/yaml';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'valid', name), 'utf8');

test('migrations form one chain ending at the current version, with unique names', () => {
  assert.equal(new Set(MIGRATIONS.map((m) => m.name)).size, MIGRATIONS.length);
  assert.equal(new Set(MIGRATIONS.map((m) => m.from)).size, MIGRATIONS.length);
  assert.equal(MIGRATIONS[MIGRATIONS.length - 1].to, API_VERSION);
  for (const m of MIGRATIONS) assert.ok(m.to === API_VERSION || MIGRATIONS.some((n) => n.from === m.to), `${m.name} leads nowhere`);
});

test('a v0alpha1 file loads as the same topology as its v1 twin', () => {
  const old = loadTopology(fixture('v0alpha1-legacy.yaml'), 'old.yaml');
  assert.ok(old.ok, JSON.stringify(old.errors));
  assert.deepEqual(old.migrated?.from, 'netns-studio/v0alpha1');
  assert.equal(old.migrated?.applied.length, 1);
  const now = loadTopology(fixture('gost-forwarders.yaml'), 'new.yaml');
  assert.ok(now.ok);
  assert.deepEqual(old.doc, { ...now.doc, forwarders: [] });
});

test('a migrated file saves as v1 and keeps its comments', () => {
  const old = loadTopology(fixture('v0alpha1-legacy.yaml'), 'old.yaml');
  assert.ok(old.ok);
  const text = saveTopology(old.yamlDoc, old.doc);
  assert.match(text, /^apiVersion: netns-studio\/v1$/m);
  assert.match(text, /# listens for the forwarders/);
  assert.match(text, /# the second pair/);
  assert.doesNotMatch(text, /\bifname:|\bns:|^netns:/m);
  const again = loadTopology(text, 'saved.yaml');
  assert.ok(again.ok);
  assert.equal(again.migrated, undefined);
  assert.deepEqual(again.doc, old.doc);
});

test('errors in a migrated file still point at its own lines', () => {
  const text = fixture('v0alpha1-legacy.yaml').replace('ifname: veth3', 'ifname: "veth3;reboot"');
  const r = checkTopologyText(text, 'old.yaml');
  assert.equal(r.ok, false);
  assert.equal(r.errors[0].code, 'ifname-unsafe');
  assert.equal(r.errors[0].path, 'veths[1].ends[1].name');
  assert.equal(r.errors[0].line, text.split('\n').findIndex((l) => l.includes('veth3;reboot')) + 1);
});

test('an unknown version is refused, and a cycle cannot loop forever', () => {
  const doc = parseDocument('apiVersion: netns-studio/v0\nkind: Topology\n');
  const r = migrateDocument(doc);
  assert.equal(r.ok, false);
  const loop: Migration[] = [
    { name: 'x-to-y', from: 'x', to: 'y', migrate() {} },
    { name: 'y-to-x', from: 'y', to: 'x', migrate() {} },
  ];
  const r2 = migrateDocument(parseDocument('apiVersion: x\n'), loop);
  assert.equal(r2.ok, false);
});

// Policy routing (`rules`, `tables`) came to netns-studio/v1 as optional fields, with no new
// version (./migrations.ts says why); these hold that choice to what it promises.
const scenario = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'scenarios', name, 'topology.yaml'), 'utf8');

test('policy routing needs no migration: a v1 file from before it loads as it did, and its save does not name rules or tables', () => {
  for (const text of [fixture('gost-forwarders.yaml'), fixture('router-nat-vrf.yaml'), scenario('04-router-nat')]) {
    const r = loadTopology(text, 'before.yaml');
    assert.ok(r.ok, JSON.stringify(r.errors));
    assert.equal(r.migrated, undefined, 'nothing to lift');
    // the editor leaves a namespace with no rules as `rules: []`, `tables: {}` at times: saying nothing
    const touched = { ...r.doc, namespaces: r.doc.namespaces.map((n) => ({ ...n, rules: [], tables: {} })) };
    for (const out of [saveTopology(r.yamlDoc, touched), exportYaml(touched)]) {
      assert.doesNotMatch(out, /^\s*-?\s*(rules|tables):/m, 'an older release would refuse the file for a key it does not know');
      assert.match(out, /^apiVersion: netns-studio\/v1$/m);
    }
  }
});

test('a file using policy routing names the fields, and a reader without them is told which key at which line', () => {
  const text = scenario('07-policy-routing');
  const r = loadTopology(text, '07.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors));
  assert.match(exportYaml(r.doc), /^ {4}rules:$/m);
  // what a release before policy routing does with it: its strict schema has no `rules`, as this one has no `rulez`
  const older = checkTopologyText(text.replace(/^( {4})rules:/m, '$1rulez:'), '07.yaml');
  assert.equal(older.ok, false);
  const e = older.errors[0];
  assert.match(e.message, /rulez/);
  assert.equal(e.line, text.split('\n').findIndex((l) => /^ {4}rules:/.test(l)) + 1);
});
