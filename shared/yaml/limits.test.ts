/** Hostile YAML (issue 15) is refused before it costs anything, with a located message; ordinary anchors still load. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aliasBombDocument, manyAddressesDocument } from '../../testing/hostile-documents';
import { DOCUMENT_LIMITS } from './limits';
import { loadTopology } from './load';

const head = 'apiVersion: netns-studio/v1\nkind: Topology\n';
const refusal = (text: string) => {
  const r = loadTopology(text, 'bad.yaml');
  assert.equal(r.ok, false);
  const e = r.errors.find((x) => x.code === 'document-too-large');
  assert.ok(e, JSON.stringify(r.errors.slice(0, 3)));
  assert.equal(e.file, 'bad.yaml');
  return e;
};

test('flow collections nested 10 000 deep are refused before yaml parses them (its parser ran out of memory)', () => {
  const e = refusal(`${head}metadata: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
  assert.match(e.message, /nested more than 64 deep/);
  assert.equal(e.line, 3);
  assert.equal(e.column, 11 + DOCUMENT_LIMITS.depth);
});

test('brackets inside quotes and comments do not count as nesting', () => {
  const deep = '['.repeat(100);
  const r = loadTopology(`${head}# ${deep}\nmetadata: { name: "${deep}", description: '${deep}' }\n`, 'ok.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors));
});

test('a file over the size limit is refused without parsing', () => {
  const e = refusal(`${head}# ${'x'.repeat(DOCUMENT_LIMITS.bytes)}\n`);
  assert.match(e.message, /at most 4 MB/);
});

test("an anchor aliased 99 times (within yaml's own limit) is refused by the expanded size", () => {
  const e = refusal(aliasBombDocument(6000, 99));
  assert.match(e.message, /more than 500,000 values once its aliases/);
  assert.ok(e.line > 3, `line ${e.line}`);
});

test('more than 1000 aliases are refused (yaml resolves each by scanning every anchor)', () => {
  const items = Array.from({ length: 1001 }, (_, i) => `  - { name: n${i}, loopback: *up }\n`).join('');
  const e = refusal(`${head}x-up: &up up\nnamespaces:\n${items}`);
  assert.match(e.message, /more than 1000 aliases/);
});

test('ordinary anchors and large plain documents still load', () => {
  const r = loadTopology(`${head}namespaces:\n  - { name: a, routes: &r [{ to: default, via: 10.0.0.1 }] }\n  - { name: b, routes: *r }\n`, 'ok.yaml');
  assert.ok(r.ok, JSON.stringify(r.errors));
  assert.deepEqual(r.doc.namespaces[1].routes, r.doc.namespaces[0].routes);
  assert.ok(loadTopology(manyAddressesDocument(10_000), 'big.yaml').ok);
});
