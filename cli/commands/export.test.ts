import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot, runCli } from '../../testing/cli-runner';

const gostFixture = join('fixtures', 'valid', 'gost-forwarders.yaml');
const haveShellExporter = existsSync(join(projectRoot, 'shared', 'export', 'shell.ts'));
const scenarioDir = join(projectRoot, 'fixtures', 'scenarios');
const scenarios = existsSync(scenarioDir)
  ? readdirSync(scenarioDir)
      .filter((d) => existsSync(join(scenarioDir, d, 'topology.yaml')))
      .sort()
  : [];

test('export --format gost prints the forwarders as GOST services', () => {
  const r = runCli(['export', gostFixture, '--format', 'gost']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    parse(r.stdout).services.map((s: { name: string; addr: string; metadata: unknown }) => [s.name, s.addr, s.metadata]),
    [
      ['service-0', '10.0.0.1:8000', { netns: 'ns1' }],
      ['service-1', '10.0.0.1:8001', { netns: 'ns1', 'netns.out': 'ns2' }],
    ],
  );
});

test('export --format yaml prints canonical YAML that validates and is a fixed point', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-export-'));
  try {
    const out = join(dir, 'canon.yaml');
    const r = runCli(['export', join('fixtures', 'valid', 'router-nat-vrf.yaml'), '--format', 'yaml', '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(statSync(out).mode & 0o777, 0o644);
    const again = runCli(['export', out, '--format', 'yaml']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(again.stdout, readFileSync(out, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export refuses an invalid file with its located errors and writes nothing', () => {
  const r = runCli(['export', join('fixtures', 'invalid', 'unknown-master.yaml'), '--format', 'gost']);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^fixtures\/invalid\/unknown-master\.yaml:11:\d+: veths\[0\]\.ends\[1\]\.master: master "br1"/m);
  assert.match(r.stderr, /not a valid topology; nothing exported/);
});

test('export --format sh renders the shell exporter (or says clearly that it is missing)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-export-'));
  try {
    const out = join(dir, 'lab.sh');
    const r = runCli(['export', gostFixture, '--format', 'sh', '-o', out]);
    if (haveShellExporter) {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(statSync(out).mode & 0o777, 0o755);
      assert.match(readFileSync(out, 'utf8'), /^#!.*(ba)?sh/);
    } else {
      assert.equal(r.status, 1);
      assert.match(r.stderr, /shell exporter .* not available/);
      assert.equal(existsSync(out), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export: bad or missing --format is refused; --help', () => {
  assert.match(runCli(['export', gostFixture, '--format', 'json']).stderr, /Allowed choices are sh, gost, yaml/);
  assert.match(runCli(['export', gostFixture]).stderr, /required option/);
  const h = runCli(['export', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--format <format>/);
});

for (const s of scenarios) {
  test(`scenario ${s}: validates clean and exports (yaml, gost${haveShellExporter ? ', sh' : ''})`, () => {
    const file = join('fixtures', 'scenarios', s, 'topology.yaml');
    const v = runCli(['validate', file]);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.doesNotMatch(v.stdout, /warning/);
    for (const format of ['yaml', 'gost', ...(haveShellExporter ? ['sh'] : [])]) {
      const r = runCli(['export', file, '--format', format]);
      assert.equal(r.status, 0, `${format}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0);
    }
  });
}
