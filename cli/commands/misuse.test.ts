/**
 * The CLI misused the way people misuse it: a folder or a missing file, a normal
 * user, destroy of a file never applied, apply over objects made by hand, export
 * to a folder. Each gets a clear message and exit code, and the host is left as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostDump } from '../../testing/host-dump';
import { run, runOk } from '../../testing/run';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { cliPath, runCli, runCliInSandbox } from '../../testing/cli-runner';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping CLI misuse kernel tests: ${skip}`);
const canDropRoot =
  process.getuid?.() === 0 &&
  run(['setpriv', '--version']).then(
    (r) => r.code === 0,
    () => false,
  );

function twoNamespaces(sb: Sandbox) {
  return {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    namespaces: [{ name: sb.ns('a') }, { name: sb.ns('b') }],
    veths: [
      {
        ends: [
          { namespace: sb.ns('a'), name: 'v0', addresses: ['10.251.0.1/24'] },
          { namespace: sb.ns('b'), name: 'v1', addresses: ['10.251.0.2/24'] },
        ],
      },
    ],
  };
}

test('a folder or a missing file: says which and why, no errno text, no 0:0 position', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
  try {
    for (const cmd of ['plan', 'apply', 'destroy']) {
      const folder = runCli([cmd, dir, '--yes', '--state-dir', join(dir, 'state')].filter((a) => cmd !== 'plan' || a !== '--yes'));
      assert.equal(folder.status, 1, cmd);
      assert.match(folder.stderr, new RegExp(`^${dir}: cannot read: is a directory; give the topology file`, 'm'));
      assert.doesNotMatch(folder.stderr, /EISDIR|:0:0:/);
      assert.match(folder.stderr, new RegExp(`netns-studio ${cmd}: cannot read ${dir}; nothing was changed`));
      const missing = runCli([cmd, join(dir, 'nope.yaml'), '--state-dir', join(dir, 'state')]);
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /nope\.yaml: cannot read: no such file/);
    }
    assert.match(runCli(['validate', dir]).stdout, /is a directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export -o into a missing folder or onto a folder: one plain line, exit 1; gost of no forwarders says so', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
  try {
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, stringify({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'a' }] }));
    const noFolder = runCli(['export', file, '-f', 'sh', '-o', join(dir, 'nope', 'lab.sh')]);
    assert.equal(noFolder.status, 1);
    assert.match(noFolder.stderr, /^netns-studio export: cannot write .*nope\/lab\.sh: its folder does not exist$/m);
    const folder = runCli(['export', file, '-f', 'sh', '-o', dir]);
    assert.equal(folder.status, 1);
    assert.match(folder.stderr, /cannot write .*: it is a directory; give a file name/);
    assert.doesNotMatch(noFolder.stderr + folder.stderr, /ENOENT|EISDIR|\n\s+at /);
    const gost = runCli(['export', file, '-f', 'gost']);
    assert.equal(gost.status, 0, 'an empty GOST file is still written');
    assert.match(gost.stdout, /services: \[\]/);
    assert.match(gost.stderr, /has no forwarders; the GOST file lists no services/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a normal user: plan/apply/destroy say they need root, after checking the file', async (t) => {
  if (!(await canDropRoot)) return t.skip('needs root and setpriv to run as another user');
  const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
  try {
    chmodSync(dir, 0o755); // the normal user reads the files, as a person's own files would be
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, stringify({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'nssmisuse-a' }] }));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: "a;b"\n');
    const asNobody = (...args: string[]) =>
      run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliPath, ...args], { timeoutMs: 60_000 });
    for (const cmd of ['plan', 'apply', 'destroy']) {
      const yes = cmd === 'plan' ? [] : ['--yes'];
      const r = await asNobody(cmd, file, ...yes, '--state-dir', join(dir, 'state'));
      assert.equal(r.code, 1, cmd);
      assert.match(r.stderr, new RegExp(`netns-studio ${cmd}: .* needs root; run it with sudo\\. Nothing was changed\\.`));
      assert.equal(r.stdout, '', 'no plan printed before the refusal');
      const b = await asNobody(cmd, bad, ...yes);
      assert.match(b.stderr, /bad\.yaml:4:11: namespaces\[0\]\.name: .*contains ";"/, 'the file is checked first');
    }
    for (const args of [['list'], ['status', 'lab'], ['destroy', '--name', 'lab', '--yes']]) {
      const r = await asNobody(...args, '--state-dir', join(dir, 'state'));
      assert.equal(r.code, 1, args.join(' '));
      assert.match(r.stderr, new RegExp(`netns-studio ${args[0]}: .* needs root; run it with sudo\\. Nothing was changed\\.`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('destroy by name: a name that is not one, an unknown one, a file and a name at once, neither', { skip }, async () => {
  await withSandbox('misname', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
    try {
      const state = ['--state-dir', join(dir, 'state')];
      const before = await hostDump(sb);
      const bad = await runCliInSandbox(sb, 'destroy', '--name', '../etc', '--yes', ...state);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /topology name "\.\.\/etc" must be 1-64 letters/);
      const unknown = await runCliInSandbox(sb, 'destroy', '--name', 'nope', '--yes', ...state);
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no topology "nope" is recorded in .*netns-studio list shows the applied ones/);
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, stringify(twoNamespaces(sb)));
      const both = await runCliInSandbox(sb, 'destroy', file, '--name', 'lab', '--yes', ...state);
      assert.equal(both.code, 1);
      assert.match(both.stderr, /give a FILE or --name NAME, not both/);
      const neither = await runCliInSandbox(sb, 'destroy', '--yes', ...state);
      assert.equal(neither.code, 1);
      assert.match(neither.stderr, /give the topology FILE, or --name NAME/);
      const status = await runCliInSandbox(sb, 'status', 'nope', ...state);
      assert.equal(status.code, 1);
      assert.match(status.stderr, /no topology "nope" is applied/);
      const list = await runCliInSandbox(sb, 'list', ...state);
      assert.equal(list.code, 0);
      assert.match(list.stdout, /^No topology is applied/m);
      assert.deepEqual(await hostDump(sb), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('destroy of a file never applied: one clear line, exit 0, nothing touched', { skip }, async () => {
  await withSandbox('misdes', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, stringify(twoNamespaces(sb)));
      await runOk(['ip', 'netns', 'add', sb.ns('a')]); // made by hand, same name as the document's
      const before = await hostDump(sb);
      for (const args of [
        ['destroy', file],
        ['plan', '--destroy', file],
      ]) {
        const r = await runCliInSandbox(sb, ...args, '--state-dir', join(dir, 'state'));
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /^Nothing to destroy: nothing of .*lab\.yaml is recorded as created by netns-studio/m);
        assert.doesNotMatch(r.stdout, /host matches/, 'no claim that the host matches');
      }
      assert.deepEqual(await hostDump(sb), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('apply over namespaces made by hand: refused with the --allow to pass, host unchanged', { skip }, async () => {
  await withSandbox('misunm', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
    try {
      const file = join(dir, 'lab.yaml');
      writeFileSync(file, stringify(twoNamespaces(sb)));
      await runOk(['ip', 'netns', 'add', sb.ns('a')]);
      const before = await hostDump(sb);
      const plan = await runCliInSandbox(sb, 'plan', file, '--state-dir', join(dir, 'state'));
      assert.equal(plan.code, 2, plan.stderr);
      assert.match(plan.stdout, new RegExp(`\\[unmanaged: loopback:${sb.ns('a')}\\]`));
      const r = await runCliInSandbox(sb, 'apply', file, '--yes', '--state-dir', join(dir, 'state'));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /did not create/);
      assert.match(r.stderr, new RegExp(`nothing was changed; to let apply change them, add: --allow loopback:${sb.ns('a')}`));
      assert.deepEqual(await hostDump(sb), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test(
  'apply on a terminal answered "n": says nothing was changed, exit 1',
  { skip: skip ?? (existsSync('/usr/bin/script') ? undefined : 'needs script(1) (util-linux) for a terminal') },
  async () => {
    await withSandbox('misno', async (sb) => {
      const dir = mkdtempSync(join(tmpdir(), 'nss-misuse-'));
      try {
        const file = join(dir, 'lab.yaml');
        writeFileSync(file, stringify(twoNamespaces(sb)));
        const before = await hostDump(sb);
        // script(1) gives the CLI a terminal; the answer comes through it
        const cmd = ['nsenter', `--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, 'apply', file, '--state-dir', join(dir, 'state')].join(' ');
        const r = await run(['script', '-qec', cmd, '/dev/null'], { input: 'n\n', timeoutMs: 60_000 });
        assert.match(r.stdout, /Apply these \d+ steps\? \[y\/N\]/);
        assert.match(r.stdout, /not confirmed; nothing was changed/);
        assert.equal(r.code, 1);
        assert.deepEqual(await hostDump(sb), before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
