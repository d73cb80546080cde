import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePath, problemsById, problemsOfText } from './problems';
import { toFlow } from './to-flow';
import { loadTopology } from '../../shared/yaml/load';

const fixture = (f: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'invalid', f), 'utf8');

test('paths read back as the validator wrote them', () => {
  assert.deepEqual(parsePath('veths[0].ends[1].addresses[2]'), ['veths', 0, 'ends', 1, 'addresses', 2]);
  assert.deepEqual(parsePath('namespaces[3].sysctls["net.ipv4.ip_forward"]'), ['namespaces', 3, 'sysctls', 'net.ipv4.ip_forward']);
});

test('a duplicated namespace: located at file:line:column, pointing at its own second box, which the canvas draws and marks', () => {
  const text = fixture('duplicate-namespace.yaml');
  const ps = problemsOfText(text, 'dup.yaml');
  assert.equal(ps.length, 1);
  const p = ps[0];
  assert.deepEqual([p.file, p.line, p.code, p.target], ['dup.yaml', 7, 'duplicate-namespace', 'ns:ns1~2']);
  assert.ok(p.column > 1);
  const r = loadTopology(text, 'dup.yaml');
  assert.ok(r.ok);
  const nodes = toFlow(r.doc, { problems: problemsById(ps), duplicates: true }).nodes;
  const dup = nodes.find((n) => n.id === 'ns:ns1~2');
  assert.ok(dup, 'the second declaration is drawn');
  assert.match(String(dup.data.problem), /declared twice/);
  assert.equal(nodes.find((n) => n.id === 'ns:ns1')?.data.problem, undefined);
  const first = nodes.find((n) => n.id === 'ns:ns1')!;
  assert.notDeepEqual(dup.position, first.position, 'not hidden exactly under the first');
});

test('one address on both ends of a veth points at the veth edge', () => {
  const ps = problemsOfText(fixture('veth-same-address.yaml'), 'v.yaml');
  assert.deepEqual(
    ps.map((p) => [p.code, p.line, p.target]),
    [['veth-same-address', 10, 'veth:ns1/veth1']],
  );
});
