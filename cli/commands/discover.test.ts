import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Topology } from '../../shared/model/schema';
import { comparableTopology, withImpliedRouteDevs } from '../../testing/discover-compare';
import { sandboxHelperWrap } from '../../testing/discover-support';
import { run } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { loadScenario } from '../../testing/scenarios';
import { projectRoot, runCli } from '../../testing/cli-runner';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping discover CLI kernel tests: ${skip}`);
const cli = (prefix: string[], args: string[]) =>
  run([...prefix, process.execPath, join(projectRoot, 'bin', 'netns-studio.mjs'), ...args], { timeoutMs: 60_000 });

test('discover --help; bad options are refused', () => {
  const h = runCli(['discover', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /Usage: netns-studio discover \[options\]/);
  assert.match(h.stdout, /--format <format>\s+output format \(choices: "yaml", "json", default:\s+"yaml"\)/);
  assert.match(h.stdout, /--unnamed/);
  assert.match(runCli(['discover', '--format', 'xml']).stderr, /Allowed choices are yaml, json/);
  assert.match(runCli(['discover', '--only-prefix', '../x']).stderr, /namespace name prefix/);
  assert.match(runCli(['discover', '--observed']).stderr, /--observed needs --format json/);
});

test('discover prints a topology that validate accepts and that equals what was built (yaml and json)', { skip }, async () => {
  await withSandbox('clidisc', async (sb) => {
    const sc = loadScenario('03-bridge-lan');
    const built = await sb.bash(sc.referenceUp);
    assert.equal(built.code, 0, built.stderr);
    const inSandbox = sandboxHelperWrap(sb);
    const y = await cli(inSandbox, ['discover', '--only-prefix', sb.prefix, '--strip-prefix']);
    assert.equal(y.code, 0, y.stderr);
    assert.match(y.stdout, /^# discovered by netns-studio at /);
    const dir = mkdtempSync(join(tmpdir(), 'nss-cli-discover-'));
    try {
      const file = join(dir, 'host.yaml');
      writeFileSync(file, y.stdout);
      const v = runCli(['validate', file]);
      assert.equal(v.status, 0, v.stdout + v.stderr);
      assert.match(v.stdout, /OK \(3 namespaces, 1 bridge, 2 veths, 0 forwarders\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const fromYaml = parse(y.stdout) as Topology;
    assert.deepEqual(comparableTopology(fromYaml), comparableTopology(withImpliedRouteDevs(sc.doc)));

    const j = await cli(inSandbox, ['discover', '--format', 'json', '--only-prefix', sb.prefix, '--strip-prefix', '--no-nat']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(comparableTopology(JSON.parse(j.stdout)), comparableTopology(fromYaml));
    const v = runCli(['validate', '-'], j.stdout);
    assert.equal(v.status, 0, v.stdout + v.stderr);

    const o = await cli(inSandbox, ['discover', '--format', 'json', '--observed', '--unnamed', '--only-prefix', sb.prefix]);
    assert.equal(o.code, 0, o.stderr);
    const full = JSON.parse(o.stdout) as { observed: { namespaces: { name: string; named: boolean }[] }; owned: string[] };
    assert.ok(full.observed.namespaces.some((n) => n.name === sb.ns('ns1')));
    assert.ok(Array.isArray(full.owned));
  });
});

test('discover as an unprivileged user says it needs root', { skip: process.getuid?.() === 0 ? undefined : 'needs root to switch users' }, async () => {
  const r = await cli(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], ['discover']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /needs root; run it with sudo/);
  assert.equal(r.stdout, '');
});
