#!/usr/bin/env node
// npm run bench [NAME…]: runs the benchmarks one after another (they compete for the
// same two cores, so never in parallel). Each prints its figures beside a baseline
// measured in the same run. Without names: every `bench:*` script of package.json.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts;
const all = Object.keys(scripts)
  .filter((k) => k.startsWith('bench:'))
  .map((k) => k.slice('bench:'.length));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((n) => !all.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(1);
}
let failed = 0;
for (const name of wanted.length ? wanted : all) {
  console.log(`\n== bench:${name}`);
  const r = spawnSync('npm', ['run', '--silent', `bench:${name}`], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`== bench:${name} failed (exit ${r.status})`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
