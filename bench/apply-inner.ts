/**
 * bench:apply, inside the sandbox (started by ./apply.ts under `nsenter --net`, so
 * `host` is the sandbox): builds and removes the same star three ways and prints
 * one JSON line of timings. Usage: apply-inner.ts PREFIX N [--only-script]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology } from '../shared/model/schema';
import { applyDocument, destroyDocument } from '../helper/apply/pipeline';
import { defaultEngine } from '../helper/apply/engine';
import { waitLinksGone } from '../helper/apply/settle';
import { buildPlan } from '../shared/plan/plan';
import { batchScript, starDocument, starShellScript } from '../testing/star-topology';

const [prefix, nArg] = process.argv.slice(2);
const n = Number(nArg);
const dir = mkdtempSync(join(tmpdir(), 'nss-bench-'));
const count = () => readdirSync('/run/netns').filter((x) => x.startsWith(prefix) && !x.endsWith('host')).length;
const hostLinks = () => spawnSync('ip', ['-br', 'link'], { encoding: 'utf8' }).stdout.trim().split('\n').length;
const settle = () => waitLinksGone(Array.from({ length: n }, (_, i) => ({ namespace: 'host', name: `v${i}` })).concat([{ namespace: 'host', name: 'br0' }]));

function bash(script: string, ...args: string[]): number {
  const f = join(dir, `s${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(f, script);
  const t = performance.now();
  const r = spawnSync('bash', [f, ...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`script failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  return ms;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

const out: Record<string, unknown> = { n };
try {
  // 1. one `ip` per command
  const sh = starShellScript(prefix, n);
  out.shellUp = bash(sh.up);
  if (count() !== n) throw new Error(`shell script made ${count()} namespaces, not ${n}`);
  out.shellDown = bash(sh.down) + (await timed(settle));
  if (count() !== 0) throw new Error('shell teardown left namespaces');

  // 2. the exported script (shared/export/shell.ts) when it is built in; until then
  //    the same plan written as a script by hand-rolled rules: one `ip -batch` heredoc
  //    per namespace and wave (../testing/star-topology.ts batchScript), run one after another
  const doc = Topology.parse(starDocument(prefix, n));
  try {
    let script: string;
    let teardownArgs: string[] = ['--teardown'];
    try {
      const mod = (await import('../shared/export/shell' as string)) as { renderShellScript: (d: Topology) => string };
      script = mod.renderShellScript(doc);
      out.exportKind = 'exported';
    } catch {
      const steps = buildPlan(doc);
      script = batchScript(steps) + `\nif [ "\${1:-}" = --teardown ]; then :; fi\n`;
      teardownArgs = [];
      out.exportKind = 'batch-per-namespace';
    }
    out.exportUp = bash(script);
    if (count() !== n) throw new Error(`exported script made ${count()} namespaces`);
    out.exportDown = (teardownArgs.length ? bash(script, ...teardownArgs) : bash(sh.down)) + (await timed(settle));
    if (count() !== 0) throw new Error('exported teardown left namespaces');
  } catch (e) {
    out.exportError = (e as Error).message.split('\n')[0];
  }

  // 3. our apply and destroy (plan included: discover + planner + executor)
  if (!process.argv.includes('--only-script'))
    try {
      const ctx = { engine: await defaultEngine(), stateDir: join(dir, 'state') };
      if (count() !== 0) throw new Error('not clean before apply');
      let applied = 0;
      console.error('## apply');
      out.applyTotal = await timed(async () => {
        const r = await applyDocument(doc, {}, ctx);
        applied = r.applied;
        out.applyExec = r.durationMs;
        out.matches = r.matches;
      });
      out.applySteps = applied;
      if (count() !== n) throw new Error(`apply made ${count()} namespaces`);
      console.error('## destroy');
      out.destroy = await timed(() => destroyDocument(doc, {}, ctx));
      console.error('## end');
      if (count() !== 0) throw new Error('destroy left namespaces');
      out.hostLinksAfter = hostLinks();
      // the same without side-by-side namespaces: plan order, consecutive lines of one namespace batched
      const seq = { ...ctx, stateDir: join(dir, 'state-seq'), parallel: false };
      out.applySequential = await timed(() => applyDocument(doc, {}, seq).then((r) => (out.applySequentialExec = r.durationMs)));
      await destroyDocument(doc, {}, seq);
      if (count() !== 0) throw new Error('destroy left namespaces');
    } catch (e) {
      out.applyError = (e as Error).message.split('\n')[0];
    }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
