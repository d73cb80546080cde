/**
 * bench:startup — how long the programs users start take, each a whole process,
 * beside a baseline measured in the same run (./whole-process.ts):
 *   validate of a small file, and --help   vs a bare `node -e 0`
 *   the same through tsx (NETNS_STUDIO_FROM_SOURCE=1, how every run went before the bundles)
 *   the helper answering hello after spawn vs a bare node answering its first stdin line
 *     (both with the helper's launch flags), with hello's probes remembered and not
 *   serve, start to the first page served vs a bare node http server serving the same file
 * As root, the helper runs inside a sandbox namespace; serve runs beside this process
 * (the page must be reachable), its helper saying only hello.
 *   npm run bench:startup [-- RUNS]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stdioHelperArgv, HELPER_MEMORY_ENV, HELPER_NODE_FLAGS } from '../helper/launch';
import { createSandbox, kernelSkipReason, type Sandbox } from '../testing/sandbox';
import { TRUSTED_CLI } from '../testing/trust-env';
import { compare, printComparisons, timeProcess, type Compared } from './whole-process';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'netns-studio.mjs');
const RUNS = Number(process.argv[2]) || 10;
const FILE = join(ROOT, 'fixtures', 'scenarios', '04-router-nat', 'topology.yaml');
const node = process.execPath;

const built = spawnSync(node, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], { stdio: 'inherit' });
if (built.status !== 0) throw new Error('build failed');
const rows: Compared[] = [];
const bare = () => timeProcess({ argv: [node, '-e', '0'] });

rows.push(await compare('validate (small file)', 'node -e 0', RUNS, () => timeProcess({ argv: [node, BIN, 'validate', FILE] }), bare));
rows.push(await compare('--help', 'node -e 0', RUNS, () => timeProcess({ argv: [node, BIN, '--help'] }), bare));
// as root the sources (and the probe cache path below) count only with --trust-env
const fromSource = { ...process.env, NETNS_STUDIO_FROM_SOURCE: '1' };
rows.push(
  await compare(
    'validate through tsx (before)',
    'node -e 0',
    Math.min(RUNS, 5),
    () => timeProcess({ argv: [node, BIN, TRUSTED_CLI, 'validate', FILE], env: fromSource }),
    bare,
  ),
);

/** ms from spawn until the child prints a line matching `ready`, then `after(line)` (untimed part excluded when `after` is undefined) */
function timeUntil(
  argv: string[],
  ready: RegExp,
  opts: { input?: string; env?: NodeJS.ProcessEnv; after?: (out: string) => Promise<void> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env, detached: true });
    let out = '';
    let err = '';
    let done = false;
    const finish = (e?: Error, ms?: number) => {
      if (done) return;
      done = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      child.once('close', () => (e ? reject(e) : resolve(ms!)));
    };
    child.stderr.on('data', (d: Buffer) => (err = (err + d).slice(-2000)));
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (done || !ready.test(out)) return;
      const step = opts.after ? opts.after(out) : Promise.resolve();
      step.then(
        () => finish(undefined, performance.now() - t0),
        (e: Error) => finish(e),
      );
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!done) {
        done = true;
        reject(new Error(`${argv.join(' ')} exited ${code} before ready: ${err}`));
      }
    });
    if (opts.input !== undefined) child.stdin.write(opts.input);
  });
}

let sb: Sandbox | undefined;
if (!kernelSkipReason()) sb = await createSandbox('bstart');
const wrap = sb ? ['nsenter', `--net=/run/netns/${sb.hostNs}`] : [];
const dir = mkdtempSync(join(tmpdir(), 'nss-bench-startup-'));
try {
  const hello = JSON.stringify({ id: 1, method: 'hello', params: { client: 'bench' } }) + '\n';
  const echo = "process.stdin.once('data', () => process.stdout.write('{\"id\":1}\\n'))";
  const bareNode = () => timeUntil([...wrap, ...HELPER_MEMORY_ENV, node, ...HELPER_NODE_FLAGS, '-e', echo], /\n/, { input: hello });
  const cacheEnv = { ...process.env, NETNS_STUDIO_PROBE_CACHE: join(dir, 'probes.json') };
  rows.push(
    await compare(
      'helper: hello after spawn',
      'node answering a line',
      RUNS,
      () => timeUntil(stdioHelperArgv({ wrap }), /"id":1/, { input: hello, env: cacheEnv }),
      bareNode,
    ),
  );
  let k = 0;
  rows.push(
    await compare(
      'helper: hello, probes not remembered',
      'node answering a line',
      Math.min(RUNS, 5),
      () => timeUntil(stdioHelperArgv({ wrap }), /"id":1/, { input: hello, env: { ...process.env, NETNS_STUDIO_PROBE_CACHE: join(dir, `none-${k++}.json`) } }),
      bareNode,
    ),
  );

  /** GET the printed URL (the token redirect sets the cookie), then the page itself */
  const firstPage = async (out: string) => {
    const url = /(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out)![1]!;
    let r = await fetch(url, { redirect: 'manual' });
    if (r.status === 302 || r.status === 303) {
      const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0]!;
      r = await fetch(new URL(r.headers.get('location')!, url), { headers: { cookie }, redirect: 'manual' });
    }
    const body = await r.text();
    if (r.status !== 200 || !/<html/i.test(body)) throw new Error(`first page: ${r.status}`);
  };
  const index = join(ROOT, 'dist', 'renderer', 'index.html');
  const bareServer = `const fs=require('fs');require('http').createServer((q,s)=>{s.setHeader('content-type','text/html');s.end(fs.readFileSync(${JSON.stringify(index)}))}).listen(0,'127.0.0.1',function(){console.log('http://127.0.0.1:'+this.address().port+'/')})`;
  rows.push(
    await compare(
      'serve: start to first page',
      'bare node http server',
      RUNS,
      // in our namespace, where this process can reach 127.0.0.1 (its helper only says hello; the page asks for nothing live)
      () =>
        timeUntil([node, BIN, 'serve', '--no-open', '--port', '0', ...(sb ? ['--only-prefix', sb.prefix] : [])], /http:\/\/127\.0\.0\.1:\d+\/\S*\s/, {
          after: firstPage,
          env: cacheEnv,
        }),
      () => timeUntil([node, '-e', bareServer], /http:\/\/127\.0\.0\.1:\d+\/\s/, { after: firstPage }),
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sb?.cleanup();
}
printComparisons(rows);
