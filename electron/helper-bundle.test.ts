/**
 * The packaged app's helper: builds the helper and forwarder-agent bundles with
 * forge.config.ts's own Vite entries (vite.helper.config.ts), packs a stand-in app
 * with its asar options, and runs what a packaged app would run: the bundles from
 * app.asar.unpacked with plain `node` (no tsx, no node_modules beside them). The
 * Electron binary is not needed: it runs these as Node (ELECTRON_RUN_AS_NODE=1).
 *
 * Checked: the files land unpacked and helper-entry.ts finds them; each bundle
 * requires only Node built-ins; the bundled helper answers `hello` as the source
 * helper does and `discover`s; the bundled agent serves its control socket; and,
 * on the kernel, the bundled helper applies scenario 01, its forwarders (the
 * bundled agent, the TCP one handing its socket to a child across namespaces)
 * carry traffic, discover reports the same as the source helper, destroy stops them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { firstValue } from '../testing/until';
import { createPackageWithOptions } from '@electron/asar';
import { build, mergeConfig, type InlineConfig } from 'vite';
import ViteConfigModule from '@electron-forge/plugin-vite/dist/ViteConfig';
import forgeConfig from '../forge.config';
import { AGENT_BUNDLE, HELPER_BUNDLE, HELPER_BUNDLE_DIR, HELPER_METHODS_BUNDLE, HELPER_SCRIPTS } from '../helper/bundle-files';
import { startStdioHelper } from '../helper/client';
import { helloInfo } from '../helper/methods/hello';
import { sandboxWrap, withStateDir } from '../testing/apply-support';
import { echoIn, tcpClient, tcpOpen } from '../testing/traffic';
import '../helper/methods/forwarders'; // the forwarders.* method types
import { prefixTopology } from '../testing/prefix';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { loadScenario } from '../testing/scenarios';
import { helperEntry } from './helper-entry';

const root = path.join(import.meta.dirname, '..');
// a CommonJS module with `exports.default`: interop differs between tsx and tsc, so unwrap by hand
const ViteConfigGenerator = ((ViteConfigModule as unknown as { default?: typeof ViteConfigModule }).default ?? ViteConfigModule) as typeof ViteConfigModule;
type PluginConfig = ConstructorParameters<typeof ViteConfigGenerator>[0];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nst-helper-bundle-'));
const appDir = path.join(tmp, 'app');
const resources = path.join(tmp, 'resources');
/** where the packaged main process bundle would run from (inside the asar) */
const packagedMainDir = path.join(resources, 'app.asar', '.vite', 'build');
let bundleDir = '';
let buildMs = 0;

/** Forge's build of our three helper entries (the same configs `electron-forge package` builds), into `outDir`. */
async function buildHelperBundles(outDir: string): Promise<void> {
  const vite = forgeConfig.plugins!.find((p) => (p as { name?: string }).name === 'vite') as unknown as { config: PluginConfig };
  // the config path made absolute: Forge resolves it from the working directory
  const helperOnly = {
    ...vite.config,
    build: vite.config.build.filter((b) => b.config === 'vite.helper.config.ts').map((b) => ({ ...b, config: path.join(root, b.config!) })),
  };
  assert.deepEqual(
    helperOnly.build.map((b) => b.entry),
    ['helper/main.ts', 'helper/methods-bundle.ts', 'helper/forwarders/agent.ts'],
  );
  const configs = await new ViteConfigGenerator(helperOnly, root, true).getBuildConfigs();
  for (const c of configs) await build(mergeConfig(c, { logLevel: 'silent', build: { outDir, watch: null } }) as InlineConfig);
}

const requires = (file: string) => [...new Set([...fs.readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))];
const BUILTIN = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

before(async () => {
  const t = Date.now();
  await buildHelperBundles(path.join(appDir, HELPER_BUNDLE_DIR));
  buildMs = Date.now() - t;
  console.log(`# helper bundles built in ${buildMs} ms`);
  // the rest of a packaged app, as far as asar cares
  fs.mkdirSync(path.join(appDir, '.vite', 'build'), { recursive: true });
  fs.writeFileSync(path.join(appDir, '.vite', 'build', 'main.cjs'), '// main\n');
  fs.writeFileSync(path.join(appDir, 'package.json'), '{"main": ".vite/build/main.cjs"}\n');
  const asarOpts = forgeConfig.packagerConfig?.asar;
  assert.ok(asarOpts && typeof asarOpts === 'object', 'packagerConfig.asar carries the unpack options');
  await createPackageWithOptions(appDir, path.join(resources, 'app.asar'), asarOpts);
  bundleDir = path.join(resources, 'app.asar.unpacked', HELPER_BUNDLE_DIR);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('helper bundle of the packaged app', () => {
  it('is built, unpacked from the asar, and found by the app', () => {
    const unpacked = fs.readdirSync(bundleDir).sort();
    assert.deepEqual(unpacked, [AGENT_BUNDLE, HELPER_BUNDLE, HELPER_METHODS_BUNDLE, ...HELPER_SCRIPTS.map((s) => path.basename(s))].sort());
    for (const f of unpacked) assert.deepEqual(fs.readFileSync(path.join(bundleDir, f)), fs.readFileSync(path.join(appDir, HELPER_BUNDLE_DIR, f)), f);
    assert.ok(!fs.existsSync(path.join(resources, 'app.asar.unpacked', '.vite', 'build')), 'the rest stays in the asar');

    assert.equal(helperEntry(packagedMainDir), path.join(bundleDir, HELPER_BUNDLE), 'packaged: the unpacked bundle');
    assert.equal(
      helperEntry(path.join(appDir, '.vite', 'build')),
      path.join(appDir, HELPER_BUNDLE_DIR, HELPER_BUNDLE),
      'not in an asar (a checkout Forge built): the bundle',
    );
    assert.ok(buildMs < 20_000, `the build stays quick (${buildMs} ms)`);
  });

  it('needs nothing at run time but Node built-ins, and finds its scripts beside itself', () => {
    for (const f of [HELPER_BUNDLE, HELPER_METHODS_BUNDLE, AGENT_BUNDLE]) {
      const file = path.join(bundleDir, f);
      for (const r of requires(file)) assert.ok(BUILTIN.has(r), `${f} requires ${r}: it must be bundled`);
      const code = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(code, /import\.meta|\{\}\.url/, `${f}: no import.meta left in CommonJS`);
      assert.doesNotMatch(code, /"data:[^"]*base64/, `${f}: no script inlined as a data: URL`);
      assert.doesNotMatch(code, /^\s*(import|export)\s/m, `${f}: CommonJS, not ESM`);
    }
    const perlInSource = fs
      .readdirSync(path.join(root, 'helper'), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.pl'))
      .map((f) => `helper/${f}`);
    assert.deepEqual(perlInSource.sort(), [...HELPER_SCRIPTS].sort(), 'every script the helper runs ships beside the bundle');
    const helper = fs.readFileSync(path.join(bundleDir, HELPER_METHODS_BUNDLE), 'utf8');
    // each script is found beside the bundle's own file (join(dirname(fileURLToPath(import.meta.url)), NAME))
    for (const script of HELPER_SCRIPTS.map((f) => path.basename(f))) {
      assert.ok(helper.includes(`pathToFileURL(__filename).href)), ${JSON.stringify(script)})`), `${script} is resolved beside the bundle`);
    }
    assert.ok(helper.includes(JSON.stringify(AGENT_BUNDLE)), 'the runtime inside knows the agent bundle');
  });

  it('the bundled helper, run by plain node, answers hello like the source helper and discovers', async () => {
    const h = await startStdioHelper({ entry: path.join(bundleDir, HELPER_BUNDLE), node: process.execPath });
    try {
      const want = await helloInfo();
      assert.deepEqual({ ...h.hello, pid: 0 }, { ...want, pid: 0 });
      assert.notEqual(h.hello!.pid, process.pid);
      const r = await h.request('discover', { onlyPrefix: 'nst-no-such-', nat: false });
      assert.deepEqual(
        r.observed.namespaces.map((n) => n.name),
        ['host'],
      );
    } finally {
      assert.equal((await h.close()).code, 0);
    }
  });

  it('the bundled agent starts and answers on its control socket', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'agent-'));
    const args = { protocol: 'tcp', role: 'listen', name: 'hs', dir, listenAddr: '127.0.0.1', listenPort: 0, targetHost: '127.0.0.1', targetPort: 9 };
    const agent = spawn(process.execPath, [path.join(bundleDir, AGENT_BUNDLE), JSON.stringify(args)], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/' });
    let stderr = '';
    agent.stderr.on('data', (b) => {
      stderr += b;
    });
    const exited = new Promise<number | null>((r) => agent.on('exit', (code) => r(code)));
    try {
      const ask = () =>
        new Promise<string>((resolve) => {
          let buf = '';
          const c = net.connect(path.join(dir, 'hs.listen.ctl'));
          c.on('data', (b) => {
            buf += b;
          });
          c.on('end', () => resolve(buf));
          c.on('error', () => resolve(''));
        });
      const answer = await firstValue(
        () => `the agent listening: ${stderr}`,
        async () => {
          const a = await ask();
          return a.includes('listening') ? a : undefined;
        },
        5000,
        30,
      );
      assert.deepEqual(
        JSON.parse(answer),
        { state: 'listening', reason: '', active: 0, total: 0, bytesIn: 0, bytesOut: 0, failedDials: 0, refused: 0 },
        stderr,
      );
    } finally {
      agent.kill('SIGTERM');
    }
    assert.equal(await exited, 0, stderr);
    assert.ok(!fs.existsSync(path.join(dir, 'hs.listen.ctl')), 'the agent removes its socket on SIGTERM');
  });
});

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the bundled helper's kernel test: ${skip}`);

const agentsRunning = (fwDir: string) =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const argv = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
        return argv.some((a) => a.includes(`"dir":${JSON.stringify(fwDir)}`)) ? [argv] : [];
      } catch {
        return [];
      }
    });

describe('helper bundle on the kernel', () => {
  it('applies scenario 01: the bundled agents forward across namespaces; discover as from source; destroy', { skip }, async () => {
    await withSandbox('hbundle', async (sb) => {
      await withStateDir(async (stateDir) => {
        const fwDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hbundle-fw-'));
        const env = { ...process.env, NETNS_STUDIO_STATE_DIR: stateDir, NETNS_STUDIO_FORWARDERS_DIR: fwDir };
        const document = prefixTopology(loadScenario('01-gost-forwarders').doc, sb);
        const echo = await echoIn(sb.hostNs, 'tcp', '127.0.0.1', 8080);
        let ns2echo: Awaited<ReturnType<typeof echoIn>> | undefined;
        const h = await startStdioHelper({ entry: path.join(bundleDir, HELPER_BUNDLE), node: process.execPath, wrap: sandboxWrap(sb), env });
        try {
          const plan = await h.request('plan', { document });
          assert.deepEqual(
            plan.steps.filter((s) => s.argv[0] === 'forwarder-start').map((s) => s.argv[1]),
            ['service-0', 'service-1'],
          );
          assert.equal((await h.request('apply', { document, planHash: plan.planHash })).matches, true);
          ns2echo = await echoIn(sb.ns('ns2'), 'tcp', '10.0.1.1', 8000);

          // service-0: bind agent in ns1 handing its socket to a child in host; service-1: into ns2
          assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8000, 20, 10_000), { ok: 20, bad: 0, fail: 0, bytes: 200_000 });
          assert.deepEqual(await tcpClient(sb, 'host', '10.0.0.1', 8001, 20, 10_000), { ok: 20, bad: 0, fail: 0, bytes: 200_000 });
          const agents = agentsRunning(fwDir);
          assert.ok(agents.length >= 2, JSON.stringify(agents));
          for (const argv of agents) {
            assert.ok(argv.includes(path.join(bundleDir, AGENT_BUNDLE)), `agent runs the bundle: ${argv.join(' ')}`);
            assert.ok(!argv.some((a) => a === '--import' || a.endsWith('agent.ts')), `no tsx: ${argv.join(' ')}`);
          }
          const { forwarders } = await h.request('forwarders.list', undefined);
          assert.deepEqual(
            forwarders.map((f) => [f.name, f.running, f.total]),
            [
              ['service-0', true, 20],
              ['service-1', true, 20],
            ],
          );

          const bundled = await h.request('discover', { onlyPrefix: sb.prefix, nat: true });
          assert.deepEqual(
            bundled.document.forwarders.map((f) => f.name),
            ['service-0', 'service-1'],
          );
          const src = await startStdioHelper({ wrap: sandboxWrap(sb), env });
          try {
            const fromSource = await src.request('discover', { onlyPrefix: sb.prefix, nat: true });
            assert.deepEqual(bundled.document, fromSource.document);
            assert.deepEqual(bundled.owned, fromSource.owned);
          } finally {
            await src.close();
          }

          ns2echo.kill(); // a process inside ns2 would keep it alive after destroy
          await h.request('destroy', { document });
          assert.deepEqual((await h.request('forwarders.list', undefined)).forwarders, []);
          assert.equal(await tcpOpen(sb, '10.0.0.1', 8000), false);
          assert.deepEqual(agentsRunning(fwDir), []);
          assert.deepEqual(fs.readdirSync(fwDir), []);
        } finally {
          await h.close();
          echo.kill();
          ns2echo?.kill();
          fs.rmSync(fwDir, { recursive: true, force: true });
        }
      });
    });
  });
});
