/**
 * Timing a program as a user runs it: a whole process from spawn to exit (or to a
 * line it prints), beside a baseline measured in the same run. The two alternate
 * (A B A B …, after a warm-up of each) and the ratio is taken pair by pair, so a
 * comparison holds while a shared machine's speed drifts; medians are what to quote.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

export interface RunSpec {
  argv: string[];
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** the exit status that counts as success (default 0) */
  expect?: number;
}

/** ms from spawn to exit; throws on an unexpected exit status (a bench must not time failures). */
export function timeProcess(spec: RunSpec): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(spec.argv[0]!, spec.argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: spec.env ?? process.env, cwd: spec.cwd });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      if (code !== (spec.expect ?? 0)) reject(new Error(`${spec.argv.join(' ')}: exit ${code}: ${err}`));
      else resolve(ms);
    });
    child.stdin.end(spec.input ?? '');
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export interface Compared {
  label: string;
  baseline: string;
  a: number[];
  b: number[];
  /** a/b, pair by pair */
  ratios: number[];
}

/** `runs` alternating pairs of `a` (ours) and `b` (the baseline), after one warm-up of each; `between` runs after each (clean-up, untimed). */
export async function compare(
  label: string,
  baseline: string,
  runs: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
  between?: () => Promise<void>,
): Promise<Compared> {
  await a();
  await between?.();
  await b();
  await between?.();
  const out: Compared = { label, baseline, a: [], b: [], ratios: [] };
  for (let i = 0; i < runs; i++) {
    const ta = await a();
    await between?.();
    const tb = await b();
    await between?.();
    out.a.push(ta);
    out.b.push(tb);
    out.ratios.push(ta / tb);
  }
  return out;
}

const f = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const range = (xs: number[]) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;

export function printComparisons(rows: Compared[]): void {
  console.log(
    `load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}; medians (min–max); ratio = ours / baseline, median of pairs`,
  );
  console.log('| what | ours | baseline | baseline time | ratio |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const m = median(r.ratios);
    console.log(`| ${r.label} | ${range(r.a)} | ${r.baseline} | ${range(r.b)} | ${m.toFixed(2)}× ${m < 1 ? `(${(1 / m).toFixed(1)}× faster)` : ''} |`);
  }
}
