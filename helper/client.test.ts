/**
 * The client library against real helper processes: stdio and connect-back
 * (one-time secret, a wrong secret refused), many requests in flight, a helper
 * that dies with requests pending.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { AUTH_MAGIC, PROTOCOL_ERROR, PROTOCOL_VERSION } from '../shared/protocol/messages';
import { HelperRequestError, processSpawner, startConnectBackHelper, startStdioHelper, type HelperSpawner } from './client';

const isCode = (code: string) => (e: unknown) => e instanceof HelperRequestError && e.code === code;

test('stdio: hello on start, 30 concurrent requests each get their own answer, client-side params check, close', async () => {
  const h = await startStdioHelper();
  try {
    assert.equal(h.hello?.protocol, PROTOCOL_VERSION);
    const calls = Array.from({ length: 30 }, (_, i) =>
      i % 3 === 0
        ? h.request('discover', { onlyPrefix: `no-such-${i}-`, nat: false }).then((r) => ['discover', r.observed.namespaces.length] as const)
        : h.request('hello', { client: `c${i}` }).then((r) => ['hello', r.pid] as const),
    );
    const got = await Promise.all(calls);
    got.forEach(([kind, v], i) => {
      assert.equal(kind, i % 3 === 0 ? 'discover' : 'hello');
      assert.equal(v, i % 3 === 0 ? 1 : h.hello!.pid); // discover of a prefix nobody has: only `host`
    });
    await assert.rejects(h.request('discover', { onlyPrefix: 'a/b' }), isCode(PROTOCOL_ERROR.badParams));
    await assert.rejects(h.request('no.such.method' as string, {}), isCode(PROTOCOL_ERROR.unknownMethod));
    assert.equal(h.alive, true);
  } finally {
    const info = await h.close();
    assert.equal(info.code, 0);
  }
  assert.equal(h.alive, false);
  await assert.rejects(h.request('hello', {}), isCode(PROTOCOL_ERROR.disconnected));
});

test('a helper of another protocol version is refused at hello with `protocol-mismatch`, and stopped', async () => {
  // a stand-in helper that answers hello like the real one, but with another protocol number
  const dir = mkdtempSync(join(tmpdir(), 'nst-proto-'));
  const entry = join(dir, 'old-helper.mjs');
  writeFileSync(
    entry,
    `import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (l) => {
  const { id } = JSON.parse(l);
  process.stdout.write(JSON.stringify({ id, result: { protocol: ${PROTOCOL_VERSION + 1}, iproute2: 'x', kernel: 'x', features: {}, isRoot: true, uid: 0, pid: process.pid } }) + '\\n');
});
`,
  );
  try {
    await assert.rejects(
      startStdioHelper({ entry, lean: false }),
      (e: unknown) =>
        isCode(PROTOCOL_ERROR.protocolMismatch)(e) &&
        new RegExp(`protocol ${PROTOCOL_VERSION + 1}, this client ${PROTOCOL_VERSION}`).test((e as Error).message),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a helper that dies is reported: pending requests reject with `disconnected`, onExit says how', async () => {
  const h = await startStdioHelper();
  const exits: string[] = [];
  h.onExit((i) => exits.push(i.reason));
  const pending = [h.request('discover', { nat: true }), h.request('discover', { nat: true })];
  process.kill(h.hello!.pid, 'SIGKILL');
  for (const p of pending) await assert.rejects(p, (e: unknown) => isCode(PROTOCOL_ERROR.disconnected)(e) && /killed by SIGKILL/.test((e as Error).message));
  assert.equal(h.alive, false);
  assert.deepEqual(exits.length, 1);
  assert.match(exits[0], /SIGKILL/);
  assert.equal(h.exitInfo?.signal, 'SIGKILL');
  await assert.rejects(h.request('hello', {}), isCode(PROTOCOL_ERROR.disconnected));
});

test('a request with no answer in time rejects with `timeout`; the helper stays usable', async () => {
  const h = await startStdioHelper();
  try {
    // 0 is "no timeout": 1 ms is shorter than any discover
    await assert.rejects(h.request('discover', { nat: true }, { timeoutMs: 1 }), isCode(PROTOCOL_ERROR.timeout));
    assert.equal((await h.request('hello', {})).protocol, PROTOCOL_VERSION);
  } finally {
    await h.close();
  }
});

/** A spawner that records the secret file the helper gets and checks its privacy first. */
function inspectingSpawner(seen: { secretFile?: string; dirMode?: number; fileMode?: number }, before?: (argv: string[]) => Promise<void>): HelperSpawner {
  const real = processSpawner();
  return (argv) => {
    const secretFile = argv[argv.indexOf('--secret-file') + 1];
    seen.secretFile = secretFile;
    seen.dirMode = statSync(dirname(secretFile)).mode & 0o777;
    seen.fileMode = statSync(secretFile).mode & 0o777;
    if (!before) return real(argv);
    // run the intruder first, then the real helper
    let child: ReturnType<HelperSpawner> | undefined;
    const started = before(argv).then(() => (child = real(argv)));
    return {
      exited: started.then(() => child!.exited),
      kill: () => child?.kill?.(),
    };
  };
}

test('connect-back: the helper connects to a private socket, proves itself with a one-time secret, and serves', async () => {
  const seen: { secretFile?: string; dirMode?: number; fileMode?: number } = {};
  const h = await startConnectBackHelper(inspectingSpawner(seen), { connectTimeoutMs: 30_000 });
  try {
    assert.equal(seen.dirMode, 0o700);
    assert.equal(seen.fileMode, 0o600);
    assert.equal(existsSync(seen.secretFile!), false, 'the secret file is gone once used');
    assert.equal(existsSync(dirname(seen.secretFile!)), false, 'the socket directory is gone once connected');
    assert.equal(h.hello?.protocol, PROTOCOL_VERSION);
    const d = await h.request('discover', { onlyPrefix: 'no-such-prefix-', nat: false });
    assert.equal(d.observed.namespaces[0].name, 'host');
  } finally {
    await h.close();
  }
});

test('connect-back: a connection with a wrong secret is dropped, the real helper still gets in', async () => {
  const intruder = { refused: false, sawData: false };
  const spawner = inspectingSpawner({}, async (argv) => {
    const socket = argv[argv.indexOf('--connect') + 1];
    await new Promise<void>((resolve) => {
      const s = connect(socket, () =>
        s.write(JSON.stringify({ auth: AUTH_MAGIC, secret: 'f'.repeat(64), pid: process.pid }) + '\n' + JSON.stringify({ id: 1, method: 'hello' }) + '\n'),
      );
      s.on('data', () => (intruder.sawData = true));
      s.on('error', () => {});
      s.on('close', () => {
        intruder.refused = true;
        resolve();
      });
    });
  });
  const h = await startConnectBackHelper(spawner, { connectTimeoutMs: 30_000 });
  try {
    assert.equal(intruder.refused, true);
    assert.equal(intruder.sawData, false, 'an unauthenticated peer gets nothing');
    assert.equal(h.hello?.protocol, PROTOCOL_VERSION);
  } finally {
    await h.close();
  }
});

test('connect-back: a helper that only knows a wrong secret is refused and start fails with a typed error', async () => {
  const real = processSpawner();
  const spawner: HelperSpawner = (argv) => {
    const i = argv.indexOf('--secret-file');
    const wrong = [...argv.slice(0, i), ...argv.slice(i + 2)];
    return real(wrong); // falls back to the environment, which has a wrong secret
  };
  process.env.NETNS_STUDIO_HELPER_SECRET = 'not-the-secret-0123456789abcdef';
  try {
    await assert.rejects(startConnectBackHelper(spawner, { connectTimeoutMs: 20_000 }), (e: unknown) => {
      assert.ok(e instanceof HelperRequestError);
      assert.equal(e.code, PROTOCOL_ERROR.disconnected);
      assert.match(e.message, /exited before connecting back/);
      return true;
    });
  } finally {
    delete process.env.NETNS_STUDIO_HELPER_SECRET;
  }
});

test('connect-back: a spawner whose helper never connects times out', async () => {
  const h = startConnectBackHelper(() => ({ exited: new Promise(() => {}) }), { connectTimeoutMs: 300 });
  await assert.rejects(h, isCode(PROTOCOL_ERROR.timeout));
  assert.ok(readFileSync('/proc/self/status', 'utf8')); // still here, nothing leaked that throws
});
