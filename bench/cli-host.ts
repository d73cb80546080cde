/**
 * bench:cli-host — the CLI's host commands as a user runs them, each a whole process
 * from start to exit (`netns-studio apply --yes star.yaml` …), inside a sandbox, beside
 * baselines that reach the same host state in the same run:
 *   apply of an N-namespace star (default 300; ./apply-star.ts: a bridge, per namespace
 *     lo up, a veth, an address, a default route), its verify included
 *       vs a script of one `ip` per command, and vs one `ip -batch` per namespace
 *   destroy of it, until the kernel has freed its veths
 *       vs `ip netns del` per namespace, and vs one `ip -batch` of them (each + that wait)
 *   discover of those N namespaces (--only-prefix)
 *       vs a shell loop of `ip -j -n NS address; ip -j -n NS route` per namespace
 * Rounds alternate ours and the baselines; ratios are taken within a round.
 * With --baseline=<ref> (./baseline-build.ts), each round also runs apply, discover
 * and destroy with the CLI of that commit, right after ours: a same-run before/after.
 *   npm run bench:cli-host [-- N [ROUNDS]] [--baseline=main]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Topology } from '../shared/model/schema';
import { buildPlan } from '../shared/plan/plan';
import { waitLinksGone } from '../helper/apply/settle';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { batchScript, starDocument, starName, starShellScript } from '../testing/star-topology';
import { printComparisons, timeProcess, type Compared } from './whole-process';
import { baselineRef, buildBaseline } from './baseline-build';

const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:cli-host skipped: ${skip}`);
  process.exit(0);
}
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0]) || 300;
const ROUNDS = Number(positional[1]) || 3;
const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'netns-studio.mjs');
if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');
const ref = baselineRef(process.argv);
const before = ref ? buildBaseline(ROOT, ref) : undefined;

await withSandbox('bcli', async (sb) => {
  const enter = ['nsenter', `--net=/run/netns/${sb.hostNs}`];
  const dir = mkdtempSync(join(tmpdir(), 'nss-bench-cli-'));
  try {
    const doc = starDocument(sb.prefix, N);
    const file = join(dir, 'star.yaml');
    writeFileSync(file, stringify(doc));
    const sh = starShellScript(sb.prefix, N);
    const batchUp = batchScript(buildPlan(Topology.parse(doc)));
    const names = Array.from({ length: N }, (_, i) => starName(sb.prefix, i));
    const batchDown = `ip -batch - <<'EOF'\n${names.map((n) => `netns del ${n}`).join('\n')}\nlink del dev br0\nEOF\n`;
    const discoverLoop = `for ns in $(ip netns list | cut -d' ' -f1 | grep '^${sb.prefix}s'); do ip -j -n "$ns" address show; ip -j -n "$ns" route show; done\n`;
    const scripts = { up: sh.up, down: sh.down, batchUp, batchDown, discoverLoop };
    for (const [k, v] of Object.entries(scripts)) writeFileSync(join(dir, `${k}.sh`), v);
    const bash = (name: keyof typeof scripts) => timeProcess({ argv: [...enter, 'bash', join(dir, `${name}.sh`)] });
    const cli = (...args: string[]) => timeProcess({ argv: [...enter, process.execPath, BIN, ...args] });
    const cliBefore = (...args: string[]) => timeProcess({ argv: [...enter, process.execPath, before!.bin, ...args] });
    const count = () => readdirSync('/run/netns').filter((x) => x.startsWith(`${sb.prefix}s`)).length;
    const settle = async () => {
      const t = performance.now();
      await waitLinksGone([...Array.from({ length: N }, (_, i) => ({ namespace: 'host', name: `v${i}` })), { namespace: 'host', name: 'br0' }], {
        wrap: enter,
      });
      return performance.now() - t;
    };
    const built = (what: string) => {
      if (count() !== N) throw new Error(`${what} made ${count()} namespaces, not ${N}`);
    };
    const gone = (what: string) => {
      if (count() !== 0) throw new Error(`${what} left ${count()} namespaces`);
    };
    const rows: Record<string, Compared> = {};
    const row = (key: string, label: string, baseline: string) => (rows[key] ??= { label, baseline, a: [], b: [], ratios: [] });
    const add = (key: string, label: string, baseline: string, a: number, b: number) => {
      const r = row(key, label, baseline);
      r.a.push(a);
      r.b.push(b);
      r.ratios.push(a / b);
    };
    const state = (round: number, tag: string) => ['--state-dir', join(dir, `state-${tag}-${round}`)];
    for (let round = 0; round < ROUNDS; round++) {
      const shUp = await bash('up');
      built('one ip per command');
      const shDown = (await bash('down')) + (await settle());
      gone('ip netns del');
      const bUp = await bash('batchUp');
      built('ip -batch per namespace');
      const bDown = (await bash('batchDown')) + (await settle());
      gone('one ip -batch');
      // ours and the baseline commit's CLI (when asked) take turns going first
      let loop = 0;
      const cycle = async (run: typeof cli, tag: string, what: string) => {
        const apply = await run('apply', '--yes', ...state(round, tag), file);
        built(`${what} apply`);
        const disc = await run('discover', '--only-prefix', `${sb.prefix}s`, '--format', 'json');
        if (run === cli) loop = await bash('discoverLoop'); // the shell loop's baseline, over the same star
        const destroy = await run('destroy', '--yes', ...state(round, tag), file);
        gone(`${what} destroy`);
        return { apply, disc, destroy };
      };
      const theirs = before && round % 2 === 1 ? await cycle(cliBefore, 'before', before.ref) : undefined;
      const { apply, disc, destroy } = await cycle(cli, 'ours', 'netns-studio');
      const b = before ? (theirs ?? (await cycle(cliBefore, 'before', before.ref))) : undefined;
      add('au', `apply, star of ${N}`, 'one ip per command', apply, shUp);
      add('ab', `apply, star of ${N}`, 'ip -batch per namespace', apply, bUp);
      add('du', `destroy, star of ${N}`, 'ip netns del per namespace', destroy, shDown);
      add('db', `destroy, star of ${N}`, 'one ip -batch', destroy, bDown);
      add('disc', `discover of ${N} namespaces`, 'shell loop of ip -j -n (address, route)', disc, loop);
      if (before && b) {
        add('ba', `apply, star of ${N}`, `the CLI of ${before.ref}`, apply, b.apply);
        add('bdi', `discover of ${N} namespaces`, `the CLI of ${before.ref}`, disc, b.disc);
        add('bde', `destroy, star of ${N}`, `the CLI of ${before.ref}`, destroy, b.destroy);
      }
      console.error(`round ${round + 1}/${ROUNDS} done`);
    }
    printComparisons(Object.values(rows));
  } finally {
    rmSync(dir, { recursive: true, force: true });
    before?.remove();
  }
});
