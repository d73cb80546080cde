/**
 * Every broken file in fixtures/invalid/ fails with its own code, on the line
 * marked `# <-`, with a message containing the fragment of its `# expect:` header;
 * and nothing else is reported about it. Every rule code has at least one file.
 * The valid fixtures (and the scenarios, once present) pass clean.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTopologyText } from './check';
import { RULES } from './validate';
import { formatLocatedError } from '../yaml/errors';

const root = join(import.meta.dirname, '..', '..', 'fixtures');
const invalidDir = join(root, 'invalid');
const files = readdirSync(invalidDir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** `# expect: CODE "fragment"`, with ` warning` after it for a code that only warns (the file then loads). */
function expectation(text: string, file: string): { code: string; fragment: string; line: number; warning: boolean } {
  const m = /^# expect: ([a-z0-9-]+) "(.*)"( warning)?$/m.exec(text);
  assert.ok(m, `${file}: needs a '# expect: CODE "message fragment"' header`);
  const lines = text.split('\n');
  const marked = lines.map((l, i) => (l.includes('# <-') ? i + 1 : 0)).filter(Boolean);
  assert.equal(marked.length, 1, `${file}: needs exactly one line marked '# <-'`);
  return { code: m[1], fragment: m[2].replace(/\\"/g, '"'), line: marked[0], warning: m[3] !== undefined };
}

test('at least 20 broken fixtures', () => {
  assert.ok(files.length >= 20, `only ${files.length}`);
});

for (const file of files) {
  test(`invalid fixture ${file}`, () => {
    const text = readFileSync(join(invalidDir, file), 'utf8');
    const want = expectation(text, file);
    const r = checkTopologyText(text, file);
    const shown = r.errors.map(formatLocatedError).join('\n');
    assert.equal(r.ok, want.warning, want.warning ? `${file} should load with a warning` : `${file} should be refused`);
    assert.deepEqual([...new Set(r.errors.map((e) => e.code))], [want.code], `${file}: only ${want.code} expected, got:\n${shown}`);
    const hit = r.errors.find((e) => e.line === want.line);
    assert.ok(hit, `${file}: expected an error on line ${want.line}, got:\n${shown}`);
    assert.ok(hit.message.includes(want.fragment), `${file}: message should contain ${JSON.stringify(want.fragment)}: ${hit.message}`);
    assert.equal(hit.severity, want.warning ? 'warning' : 'error');
    assert.equal(hit.file, file);
    assert.ok(hit.column >= 1);
  });
}

test('every semantic rule code has a broken fixture', () => {
  const covered = new Set(files.map((f) => expectation(readFileSync(join(invalidDir, f), 'utf8'), f).code));
  const missing = [...new Set(RULES.flatMap((r) => r.codes))].filter((c) => !covered.has(c));
  assert.deepEqual(missing, []);
});

const validFiles = [
  ...readdirSync(join(root, 'valid'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(root, 'valid', f)),
  ...(existsSync(join(root, 'scenarios'))
    ? readdirSync(join(root, 'scenarios'))
        .map((d) => join(root, 'scenarios', d, 'topology.yaml'))
        .filter(existsSync)
    : []),
];

for (const path of validFiles) {
  test(`valid ${path.slice(root.length + 1)}`, () => {
    const r = checkTopologyText(readFileSync(path, 'utf8'), path);
    assert.deepEqual(r.errors.map(formatLocatedError), []);
    assert.equal(r.ok, true);
  });
}
