import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopology } from './load';
import { formatLocatedError, formatPath } from './errors';
import { API_VERSION } from '../model/schema';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'valid', name), 'utf8');

test('loads a valid file into a typed topology with defaults filled', () => {
  const r = loadTopology(fixture('gost-forwarders.yaml'), 'g.yaml');
  assert.ok(r.ok);
  assert.equal(r.doc.apiVersion, API_VERSION);
  assert.deepEqual(
    r.doc.namespaces.map((n) => n.name),
    ['ns1', 'ns2'],
  );
  assert.equal(r.doc.veths[0].ends[0].up, true);
  assert.deepEqual(r.doc.forwarders[1].target, { namespace: 'ns2', address: '10.0.1.1', port: 8000 });
  assert.deepEqual(r.errors, []);
});

test('YAML syntax errors name file, line and column', () => {
  const r = loadTopology('apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: a: b\n', 'bad.yaml');
  assert.equal(r.ok, false);
  assert.equal(r.errors.length, 1);
  const [e] = r.errors;
  assert.equal(e.code, 'yaml-syntax');
  assert.equal(e.line, 4);
  assert.equal(e.file, 'bad.yaml');
  assert.match(formatLocatedError(e), /^bad\.yaml:4:\d+: YAML syntax error: /);
});

test('unknown fields are refused at the key, with the allowed ones listed', () => {
  const text = 'apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: a\n    routs: []\n';
  const r = loadTopology(text, 'f.yaml');
  assert.equal(r.ok, false);
  assert.deepEqual(r.errors.map(formatLocatedError), [
    'f.yaml:5:5: namespaces[0].routs: unknown field "routs"; did you mean "routes"? (allowed here: name, loopback, sysctls, routes, nat, dns, vrfs, tables, rules, external, nodad)',
  ]);
  const top = loadTopology('apiVersion: netns-studio/v1\nkind: Topology\nextra: 1\n', 'f.yaml');
  assert.equal(top.errors[0].code, 'schema-unknown-field');
  assert.equal(top.errors[0].line, 3);
});

test('schema errors point at the value that is wrong', () => {
  const text = ['apiVersion: netns-studio/v1', 'kind: Topology', 'bridges:', '  - name: br0', '    namespace: host', '    mtu: 12'].join('\n');
  const r = loadTopology(text, 'f.yaml');
  assert.equal(r.ok, false);
  assert.equal(r.errors[0].path, 'bridges[0].mtu');
  assert.equal(r.errors[0].code, 'schema-too-small');
  assert.deepEqual([r.errors[0].line, r.errors[0].column], [6, 10]);
});

test('wrong apiVersion, missing apiVersion, wrong kind, empty file, not a mapping', () => {
  const codes = (t: string) => loadTopology(t, 'x').errors.map((e) => e.code);
  assert.deepEqual(codes('apiVersion: netns-studio/v2\nkind: Topology\n'), ['unknown-api-version']);
  assert.deepEqual(codes('kind: Topology\n'), ['missing-api-version']);
  assert.deepEqual(codes('apiVersion: netns-studio/v1\nkind: Other\n'), ['wrong-kind']);
  assert.deepEqual(codes(''), ['empty-document']);
  assert.deepEqual(codes('# only a comment\n'), ['empty-document']);
  assert.deepEqual(codes('- a\n- b\n'), ['not-a-mapping']);
  const multi = loadTopology('apiVersion: netns-studio/v1\nkind: Topology\n---\nkind: x\n', 'm');
  assert.deepEqual([multi.errors[0].line, multi.errors[0].message.startsWith('a topology file holds exactly one YAML document')], [3, true]);
  // CRLF line ends and a byte-order mark do not shift positions
  const crlf = loadTopology('\uFEFFapiVersion: netns-studio/v1\r\nkind: Topology\r\nnamespaces:\r\n  - name: a\r\n    bogus: 1\r\n', 'c');
  assert.deepEqual([crlf.errors[0].code, crlf.errors[0].line, crlf.errors[0].column], ['schema-unknown-field', 5, 5]);
});

test('alias bombs are refused, not expanded', () => {
  const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
        .fill('*' + String.fromCharCode(96 + i))
        .join(',')}]`,
    );
  const r = loadTopology(['apiVersion: netns-studio/v1', 'kind: Topology', 'metadata:', '  description: x', ...lines.map((l) => `# ${l}`)].join('\n'), 'b');
  assert.ok(r.ok); // comments only: fine
  const bomb = loadTopology(['apiVersion: netns-studio/v1', 'kind: Topology', 'x:', ...lines.map((l) => `  ${l}`)].join('\n'), 'b');
  assert.equal(bomb.ok, false);
  assert.match(bomb.errors[0].message, /alias/);
});

test('formatPath spells paths the way people read them', () => {
  assert.equal(formatPath(['veths', 0, 'ends', 1, 'name']), 'veths[0].ends[1].name');
  assert.equal(formatPath(['namespaces', 2, 'sysctls', 'net.ipv4.ip_forward']), 'namespaces[2].sysctls["net.ipv4.ip_forward"]');
  assert.equal(formatPath([]), '');
});
