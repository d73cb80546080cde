/**
 * The compiled entry points (scripts/build.mjs → dist/node): what `npm ci` builds and
 * users run. Checked on a copy holding only bin/ and dist/node (no sources, no
 * node_modules, no tsx): the CLI validates and exports a scenario and lists its
 * commands, the helper answers hello; the CLI's commands load their modules lazily
 * (validate's chunks hold neither the helper client nor the apply engine); the
 * helper's entry answers hello without zod or its methods, loads them from the file
 * it read at start; the helper and agent bundles need only Node built-ins; sources and tests' spawns pick
 * the bundle unless NETNS_STUDIO_FROM_SOURCE=1; and the CLI rebuilds a stale bundle.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AGENT_BUNDLE, CHECKOUT_BUNDLE_DIR, HELPER_BUNDLE, HELPER_METHODS_BUNDLE, HELPER_SCRIPTS } from '../helper/bundle-files';
import { stdioHelperArgv } from '../helper/launch';
import { TRUSTED_CLI } from '../testing/trust-env';

const root = path.join(import.meta.dirname, '..');
const dist = path.join(root, CHECKOUT_BUNDLE_DIR);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nst-build-'));
const scenario = path.join(root, 'fixtures', 'scenarios', '01-gost-forwarders', 'topology.yaml');

before(() => {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  // an install with nothing but the entry and its bundles
  fs.mkdirSync(path.join(tmp, 'bin'));
  fs.copyFileSync(path.join(root, 'bin', 'netns-studio.mjs'), path.join(tmp, 'bin', 'netns-studio.mjs'));
  fs.cpSync(dist, path.join(tmp, CHECKOUT_BUNDLE_DIR), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cliIn = (dir: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [path.join(dir, 'bin', 'netns-studio.mjs'), ...args], { cwd: os.tmpdir(), encoding: 'utf8', env, timeout: 60_000 });

/** the static and dynamic imports of an ESM chunk (esbuild's spelling) */
const importsOf = (file: string) => [...fs.readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*"\.\/(chunk-[A-Z0-9]+\.mjs)"/g)].map((m) => m[1]!);
/** the chunks a file loads before any dynamic import runs */
function staticClosure(file: string, seen = new Set<string>()): Set<string> {
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:^|;|\n)\s*import\s*(?:[^"';]*?from\s*)?"\.\/(chunk-[A-Z0-9]+\.mjs)"/g)) {
    if (seen.has(m[1]!)) continue;
    seen.add(m[1]!);
    staticClosure(path.join(path.dirname(file), m[1]!), seen);
  }
  return seen;
}

describe('compiled entry points', () => {
  it('the CLI runs from the bundle alone: no sources, no node_modules, no tsx', () => {
    const v = cliIn(tmp, ['validate', scenario]);
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /OK \(3 namespaces/);
    assert.equal(v.stderr, '', 'no build, no warning');
    const e = cliIn(tmp, ['export', '--format', 'sh', scenario]);
    assert.equal(e.status, 0, e.stderr);
    assert.match(e.stdout, /ip netns add/);
    const h = cliIn(tmp, ['--help']);
    for (const c of ['validate', 'export', 'schema', 'discover', 'watch', 'plan', 'apply', 'destroy', 'serve'])
      assert.match(h.stdout, new RegExp(`\\n  ${c}\\b`));
  });

  it('the helper bundle answers hello from the same copy', async () => {
    const child = spawn(process.execPath, [path.join(tmp, CHECKOUT_BUNDLE_DIR, HELPER_BUNDLE)], { cwd: '/', stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      child.stdin.write(JSON.stringify({ id: 1, method: 'hello', params: { client: 'build.test' } }) + '\n');
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (b: Buffer) => {
          buf += b;
          const i = buf.indexOf('\n');
          if (i >= 0) resolve(buf.slice(0, i));
        });
        child.on('exit', (code) => reject(new Error(`helper exited (${code}) before answering`)));
      });
      const reply = JSON.parse(line) as { id: number; result?: { pid: number } };
      assert.equal(reply.id, 1);
      assert.equal(reply.result?.pid, child.pid);
    } finally {
      child.kill();
    }
  });

  it("the helper's entry answers hello without its methods, and runs the methods of the build it started with", async () => {
    const entryText = fs.readFileSync(path.join(dist, HELPER_BUNDLE), 'utf8');
    assert.doesNotMatch(entryText, /ZodError|\$ZodType|netlink-lanes\.pl/, 'no zod, no apply engine in the entry');
    assert.match(fs.readFileSync(path.join(dist, HELPER_METHODS_BUNDLE), 'utf8'), /ZodError/, 'the schemas are in the second part');
    const broken = 'throw new Error("the methods were loaded");\n';
    /** a helper from a copy of the bundles; `lines` sent one at a time, each answer awaited */
    const run = async (dir: string, lines: (() => unknown)[]) => {
      const child = spawn(process.execPath, [path.join(dir, HELPER_BUNDLE)], { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] });
      let buf = '';
      let wake = () => {};
      child.stdout.on('data', (b: Buffer) => {
        buf += b;
        wake();
      });
      const answers: Record<string, any>[] = [];
      try {
        for (const line of lines) {
          child.stdin.write(JSON.stringify(line()) + '\n');
          while (!buf.includes('\n')) await new Promise<void>((r) => (wake = r));
          answers.push(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
          buf = buf.slice(buf.indexOf('\n') + 1);
        }
      } finally {
        child.kill();
      }
      return answers;
    };
    const copy = (name: string) => {
      const dir = path.join(tmp, name);
      fs.cpSync(dist, dir, { recursive: true });
      return dir;
    };
    // the second part broken before the helper starts: hello is still answered, from the entry alone
    const before = copy('methods-broken');
    fs.writeFileSync(path.join(before, HELPER_METHODS_BUNDLE), broken);
    const [hello, other] = await run(before, [() => ({ id: 1, method: 'hello' }), () => ({ id: 2, method: 'no-such-method' })]);
    assert.equal(hello!.result?.protocol, 1, JSON.stringify(hello));
    assert.equal(other!.error?.code, 'internal');
    assert.match(other!.error?.message, /could not load its methods: the methods were loaded/);
    // replaced after hello (a rebuild while the helper runs): it goes on with what it read at start
    const during = copy('methods-replaced');
    const answers = await run(during, [
      () => ({ id: 1, method: 'hello' }),
      () => (fs.writeFileSync(path.join(during, HELPER_METHODS_BUNDLE), broken), { id: 2, method: 'no-such-method' }),
    ]);
    assert.equal(answers[1]!.error?.code, 'unknown-method', JSON.stringify(answers[1]));
  });

  it('each command loads only its own modules: validate carries neither the helper client nor the apply engine', () => {
    const entry = path.join(dist, 'cli.mjs');
    const atStart = staticClosure(entry);
    const entryText = [entry, ...[...atStart].map((c) => path.join(dist, c))].map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    // zod and yaml are loaded by validate, not by --help
    assert.doesNotMatch(entryText, /ZodError|YAMLParseError/, 'the entry chunk is only commander and the command list');
    // what validate's action imports, transitively
    const dynamic = importsOf(entry);
    assert.ok(dynamic.length >= 8, `one lazy chunk per command's work (${dynamic.length})`);
    const all = fs.readdirSync(dist).filter((f) => f.startsWith('chunk-'));
    const applyEngine = all.filter((f) => fs.readFileSync(path.join(dist, f), 'utf8').includes('netlink-lanes.pl'));
    assert.ok(applyEngine.length >= 1, 'the apply engine is in a chunk of its own');
    const validateChunk = all.find((f) => /readTopologyFile/.test(fs.readFileSync(path.join(dist, f), 'utf8')) && !applyEngine.includes(f));
    assert.ok(validateChunk, 'read-topology has a chunk of its own');
    for (const c of staticClosure(path.join(dist, validateChunk))) assert.ok(!applyEngine.includes(c), `validate loads ${c}, the apply engine`);
  });

  it('discover loads no zod: its engine, its YAML output and what they import carry no schema (a 390 KB chunk to compile on every run)', () => {
    const all = fs.readdirSync(dist).filter((f) => f.startsWith('chunk-'));
    const engine = all.filter((f) => fs.readFileSync(path.join(dist, f), 'utf8').includes('async function discover('));
    assert.equal(engine.length, 1, `helper/discover/index.ts is in one chunk (${engine.join(', ')})`);
    for (const c of [engine[0]!, ...staticClosure(path.join(dist, engine[0]!))]) {
      assert.doesNotMatch(fs.readFileSync(path.join(dist, c), 'utf8'), /ZodError|\$ZodType/, `discover loads ${c}, which holds zod`);
    }
    // --format yaml (the default) prints through shared/export/yaml.ts: that chunk loads no zod either
    const yaml = all.filter((f) => fs.readFileSync(path.join(dist, f), 'utf8').includes('function exportYaml('));
    assert.equal(yaml.length, 1, `shared/export/yaml.ts is in one chunk (${yaml.join(', ')})`);
    for (const c of [yaml[0]!, ...staticClosure(path.join(dist, yaml[0]!))]) {
      assert.doesNotMatch(fs.readFileSync(path.join(dist, c), 'utf8'), /ZodError|\$ZodType/, `discover --format yaml loads ${c}, which holds zod`);
    }
  });

  it('the helper and the agent are self-contained: nothing to load but Node built-ins; the perl scripts lie beside them', () => {
    const builtin = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    for (const f of [HELPER_BUNDLE, HELPER_METHODS_BUNDLE, AGENT_BUNDLE]) {
      const text = fs.readFileSync(path.join(dist, f), 'utf8');
      for (const m of text.matchAll(/\brequire\("([^"]+)"\)/g)) assert.ok(builtin.has(m[1]!), `${f} requires ${m[1]}`);
    }
    for (const s of HELPER_SCRIPTS) assert.ok(fs.existsSync(path.join(dist, path.basename(s))), s);
  });

  it('code running from source starts the bundle; NETNS_STUDIO_FROM_SOURCE=1 starts the sources', () => {
    const env = process.env.NETNS_STUDIO_FROM_SOURCE;
    try {
      delete process.env.NETNS_STUDIO_FROM_SOURCE;
      // the entry is the last argument but the flag this trusting test process passes on
      const entry = () =>
        stdioHelperArgv()
          .filter((a) => a !== TRUSTED_CLI)
          .at(-1);
      assert.equal(entry(), path.join(dist, HELPER_BUNDLE));
      assert.ok(!stdioHelperArgv().some((a) => a.includes('tsx')));
      process.env.NETNS_STUDIO_FROM_SOURCE = '1';
      assert.equal(entry(), path.join(root, 'helper', 'main.ts'));
    } finally {
      if (env === undefined) delete process.env.NETNS_STUDIO_FROM_SOURCE;
      else process.env.NETNS_STUDIO_FROM_SOURCE = env;
    }
    const r = cliIn(root, [TRUSTED_CLI, 'validate', scenario], { ...process.env, NETNS_STUDIO_FROM_SOURCE: '1' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('a missing bundle is built on first use, a stale one rebuilt, each with a message', () => {
    // a checkout copy: bin, scripts, the sources the build reads, node_modules linked
    const co = fs.mkdtempSync(path.join(os.tmpdir(), 'nst-build-co-'));
    try {
      // the folders the build reads (its record lists them), the configs beside
      const inputs = (JSON.parse(fs.readFileSync(path.join(dist, 'build.json'), 'utf8')) as { inputs: string[] }).inputs;
      const dirs = new Set(['bin', ...inputs.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!)]);
      for (const d of dirs) fs.cpSync(path.join(root, d), path.join(co, d), { recursive: true });
      for (const f of ['package.json', 'tsconfig.json']) fs.copyFileSync(path.join(root, f), path.join(co, f));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(co, 'node_modules'));
      const r = cliIn(co, ['validate', scenario]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /dist\/node\) is missing; building it now/);
      assert.ok(fs.existsSync(path.join(co, CHECKOUT_BUNDLE_DIR, 'cli.mjs')));
      const again = cliIn(co, ['validate', scenario]);
      assert.equal(again.stderr, '', 'built once');
      // an edit (a checkout after git pull): the next run rebuilds first
      const src = path.join(co, 'cli', 'commands', 'validate.ts');
      fs.writeFileSync(src, fs.readFileSync(src, 'utf8').replace(': OK (', ': OK, edited ('));
      const future = new Date(Date.now() + 5000);
      fs.utimesSync(src, future, future);
      const edited = cliIn(co, ['validate', scenario]);
      assert.equal(edited.status, 0, edited.stderr);
      assert.match(edited.stderr, /sources changed since dist\/node was built; rebuilding/);
      assert.match(edited.stdout, /OK, edited \(3 namespaces/);
    } finally {
      fs.rmSync(co, { recursive: true, force: true });
    }
  });
});
