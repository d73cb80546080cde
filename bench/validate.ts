/**
 * bench:validate — the whole `netns-studio validate FILE` process (start to exit)
 * on hostile documents (issue 15), beside a baseline measured in the same run:
 * the same command on scenario 04 (a few objects: the cost of starting the CLI).
 *   - 2 × 2 500 and 2 × 10 000 addresses on one veth pair (the file, which
 *     took ~46 s with the pairwise subnet check): the second should cost ~4× the
 *     first's work above the baseline, not 16×;
 *   - 2 000 interfaces, routes and forwarders in one namespace;
 *   - an 850 KB alias bomb (used to run 25–42 s at 2 GB, then die), refused.
 * Best of 3 wall times; ratio to the baseline.
 *
 *   npm run bench:validate
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliasBombDocument, manyAddressesDocument, manyInterfacesDocument } from '../testing/hostile-documents';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin', 'netns-studio.mjs');
const dir = mkdtempSync(join(tmpdir(), 'netns-studio-bench-validate-'));

function time(file: string, expectOk: boolean): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, 'validate', file], { cwd: root, encoding: 'utf8' });
    const ms = performance.now() - t0;
    if ((r.status === 0) !== expectOk) throw new Error(`validate ${file}: exit ${r.status}\n${r.stdout.slice(0, 500)}${r.stderr.slice(0, 500)}`);
    best = Math.min(best, ms);
  }
  return best;
}

try {
  const cases: [string, string, boolean][] = [
    ['2 × 2 500 addresses', manyAddressesDocument(2500), true],
    ['2 × 10 000 addresses', manyAddressesDocument(10_000), true],
    ['2 000 interfaces + routes + forwarders', manyInterfacesDocument(2000), true],
    ['alias bomb (refused)', aliasBombDocument(52_000, 99), false],
  ];
  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const base = time(join(root, 'fixtures', 'scenarios', '04-router-nat', 'topology.yaml'), true);
  console.log(`| file | size | validate (best of 3) | ratio to baseline |\n| --- | --- | --- | --- |`);
  console.log(`| baseline: scenario 04 | small | ${base.toFixed(0)} ms | 1.0 |`);
  for (const [name, text, ok] of cases) {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, text);
    const ms = time(file, ok);
    console.log(`| ${name} | ${(text.length / 1024).toFixed(0)} KB | ${ms.toFixed(0)} ms | ${(ms / base).toFixed(1)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
