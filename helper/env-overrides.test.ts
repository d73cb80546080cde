/**
 * Root ignores NETNS_STUDIO_* environment settings unless asked with --trust-env
 * (issue 15). Hostile input: an environment that points root's state dir and
 * forwarder dir at a user's directory, its probe cache at a file of the user's
 * choosing, injects a failing step and asks for the sources. This test process
 * itself does not ask (it imports nothing of testing/), so what it starts is
 * judged on its own command line:
 * - the real helper bundle, started with that environment, writes no probe
 *   cache where the environment says; started with --trust-env it does;
 * - the state dir, forwarder dir, fault injection and sources the root code reads
 *   (helper/apply/journal.ts, forwarders/runtime.ts, methods/apply-context.ts,
 *   code-location.ts) are the defaults without the flag, the environment's with it;
 * - not root (uid 65534): the environment counts as before.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HelperClient, greet } from './client';
import { stdioHelperArgv } from './launch';
import { spawn } from 'node:child_process';
import { TRUST_ENV_FLAG, envTrustAsked } from './env-overrides';

const skip = process.getuid?.() !== 0 ? 'needs root (the settings are ignored only as root)' : undefined;
if (skip) console.log(`# skipping env override tests: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), 'nst-env-'));
chmodSync(dir, 0o755);
after(() => rmSync(dir, { recursive: true, force: true }));
const ROOT = join(import.meta.dirname, '..');

const hostile = (tag: string): NodeJS.ProcessEnv => ({
  ...process.env,
  NETNS_STUDIO_STATE_DIR: join(dir, tag, 'state'),
  NETNS_STUDIO_FORWARDERS_DIR: join(dir, tag, 'fw'),
  NETNS_STUDIO_PROBE_CACHE: join(dir, tag, 'probes.json'),
  NETNS_STUDIO_TEST_FAIL_AT_STEP: '1',
  NETNS_STUDIO_FROM_SOURCE: '1',
});

async function helperHello(env: NodeJS.ProcessEnv, extra: string[]): Promise<void> {
  const argv = [...stdioHelperArgv(), ...extra];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'], env });
  const exited = new Promise<{ code: number | null; stderr: string }>((r) => child.on('close', (code) => r({ code, stderr: '' })));
  const client = await greet(new HelperClient(child.stdout, child.stdin, { kill: () => child.kill('SIGKILL'), exited }), 30_000);
  await client.close();
}

/** What root code reads, printed by a child process with these argv extras and this uid. */
function settingsSeen(env: NodeJS.ProcessEnv, extra: string[], uid?: number): Record<string, unknown> {
  // the forwarder dir is judged by what the runtime lists: a state file planted there shows up only if it was read
  const js = `const { stateDirOf } = await import('./helper/apply/journal.ts');
const { createForwarderRuntime } = await import('./helper/forwarders/runtime.ts');
const { envSetting } = await import('./helper/env-overrides.ts');
const { sourcesWanted } = await import('./helper/code-location.ts');
const planted = (await createForwarderRuntime().list()).some((f) => f.name === 'planted-by-env-test');
console.log(JSON.stringify({ state: stateDirOf(), planted, failAt: envSetting('NETNS_STUDIO_TEST_FAIL_AT_STEP') ?? null, sources: sourcesWanted() }));`;
  mkdirSync(env.NETNS_STUDIO_FORWARDERS_DIR!, { recursive: true, mode: 0o777 });
  writeFileSync(join(env.NETNS_STUDIO_FORWARDERS_DIR!, 'planted-by-env-test.json'), JSON.stringify({ spec: {}, pids: [] }), { mode: 0o644 });
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', js, '--', ...extra], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    uid,
    gid: uid,
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('as root the environment counts only with --trust-env', { skip, timeout: 120_000 }, async () => {
  assert.equal(envTrustAsked(), false, 'this test process did not ask');

  await helperHello(hostile('plain'), []);
  assert.equal(existsSync(join(dir, 'plain', 'probes.json')), false, 'no probe cache written where the environment says');
  await helperHello(hostile('asked'), [TRUST_ENV_FLAG]);
  assert.equal(existsSync(join(dir, 'asked', 'probes.json')), true, 'with the flag it is');

  assert.deepEqual(settingsSeen(hostile('plain'), []), { state: '/var/lib/netns-studio', planted: false, failAt: null, sources: false });
  assert.deepEqual(settingsSeen(hostile('asked'), [TRUST_ENV_FLAG]), { state: join(dir, 'asked', 'state'), planted: true, failAt: '1', sources: true });
  // not root: nothing to take over, the environment counts as before
  assert.deepEqual(settingsSeen(hostile('user'), [], 65534), { state: join(dir, 'user', 'state'), planted: true, failAt: '1', sources: true });
});
