import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliasBombDocument } from '../../testing/hostile-documents';
import { cliPath, projectRoot, runCli } from '../../testing/cli-runner';

const rel = (...p: string[]) => join('fixtures', ...p);

test('validate: valid files print one OK line each and exit 0', () => {
  const files = readdirSync(join(projectRoot, 'fixtures', 'valid'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => rel('valid', f));
  const r = runCli(['validate', ...files]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, files.length);
  files.forEach((f, i) => assert.match(lines[i], new RegExp(`^${f.replace(/[.]/g, '\\.')}: OK \\(\\d+ namespaces?, `)));
});

test('validate: every broken fixture is reported as file:line:col: path: message at its marked line, exit 1', () => {
  const dir = join(projectRoot, 'fixtures', 'invalid');
  // warning-only fixtures (`# expect: … warning`) validate OK: fixtures.test.ts checks them
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !/^# expect:.*warning\s*$/m.test(readFileSync(join(dir, f), 'utf8')))
    .sort();
  const r = runCli(['validate', ...files.map((f) => rel('invalid', f))]);
  assert.equal(r.status, 1);
  assert.doesNotMatch(r.stdout, /: OK/);
  for (const f of files) {
    const line =
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('# <-')) + 1;
    const prefix = `${rel('invalid', f)}:${line}:`;
    assert.ok(
      r.stdout.split('\n').some((l) => l.startsWith(prefix) && /^[^:]+:\d+:\d+: .+/.test(l)),
      `no line starting with ${prefix} in:\n${r.stdout}`,
    );
  }
});

test('validate: shell-breaking names are refused with a clear message', () => {
  const text = 'apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: "$(touch /tmp/x)"\n';
  const r = runCli(['validate', '-'], text);
  assert.equal(r.status, 1);
  assert.equal(
    r.stdout.trim(),
    '<stdin>:4:11: namespaces[0].name: namespace name "$(touch /tmp/x)" contains "/", whitespace or a control character; it must be a single file name under /run/netns',
  );
});

test('validate --json gives machine-readable problems; unreadable files are errors', () => {
  const r = runCli(['validate', '--json', rel('invalid', 'ifname-too-long.yaml'), 'no-such-file.yaml']);
  assert.equal(r.status, 1);
  const problems = JSON.parse(r.stdout) as { code: string; line: number; file: string }[];
  assert.deepEqual(
    problems.map((p) => [p.code, p.line]),
    [
      ['ifname-too-long', 8],
      ['read-failed', 0],
    ],
  );
});

test('validate --help', () => {
  const r = runCli(['validate', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: netns-studio validate \[options\] <files\.\.\.>/);
  const none = runCli(['validate']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /missing required argument/);
});

test('validate: an 850 KB alias bomb is refused with the file and line under a 128 MB heap (it used to take 2 GB and die)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-bomb-'));
  try {
    const file = join(dir, 'bomb.yaml');
    writeFileSync(file, aliasBombDocument(52_000, 99));
    const r = spawnSync(process.execPath, ['--max-old-space-size=128', cliPath, 'validate', file], { cwd: projectRoot, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr.slice(-2000));
    assert.match(
      r.stdout,
      new RegExp(
        `^${file.replace(/[.]/g, '\\.')}:\\d+:\\d+: refused: the document would have more than 500,000 values once its aliases \\(\\*name\\) are expanded\\n$`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
