/**
 * The helper process speaking the real protocol on stdio, byte by byte: hello,
 * out-of-order answers correlated by id, and every kind of broken input getting
 * its typed error while the helper goes on serving.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { release } from 'node:os';
import { MAX_MESSAGE_BYTES, PROTOCOL_ERROR, PROTOCOL_VERSION, type HelloResult } from '../shared/protocol/messages';
import { run } from '../testing/run';
import { kernelHasVrf } from '../testing/scenario-harness';
import { stdioHelperArgv } from './launch';
import { LineSplitter } from './transport/ndjson';

type Msg = Record<string, any>;

/** A helper process and its stdout as a queue of parsed lines. */
function rawHelper(wrap: string[] = []) {
  const argv = stdioHelperArgv({ wrap });
  const child: ChildProcessWithoutNullStreams = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const queue: Msg[] = [];
  const waiters: ((m: Msg) => void)[] = [];
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const splitter = new LineSplitter({
    onLine: (l) => {
      const m = JSON.parse(l) as Msg; // the helper must only ever write JSON lines
      const w = waiters.shift();
      if (w) w(m);
      else queue.push(m);
    },
    onOversize: () => assert.fail('helper wrote an oversized line'),
  });
  child.stdout.on('data', (c: Buffer) => splitter.push(c));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  return {
    child,
    exited,
    stderr: () => stderr,
    send: (m: unknown) => child.stdin.write(JSON.stringify(m) + '\n'),
    sendRaw: (s: string | Buffer) => child.stdin.write(s),
    next(timeoutMs = 20_000): Promise<Msg> {
      const m = queue.shift();
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no message from the helper in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
        waiters.push((x) => {
          clearTimeout(t);
          resolve(x);
        });
      });
    },
    async stop() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

const skipRoot = process.getuid?.() === 0 ? undefined : 'needs root to run the helper as another user';
if (skipRoot) console.log(`# skipping the non-root hello test: ${skipRoot}`);

test('hello: protocol version, iproute2, kernel, probed features and root, equal to what the machine says', async () => {
  const h = rawHelper();
  try {
    h.send({ id: 1, method: 'hello', params: { client: 'protocol.test' } });
    const m = await h.next();
    assert.equal(m.id, 1);
    const hello = m.result as HelloResult;
    assert.equal(hello.protocol, PROTOCOL_VERSION);
    const ipV = (await run(['ip', '-V'])).stdout;
    assert.match(hello.iproute2, /^iproute2-\d+\.\d+/);
    assert.ok(ipV.includes(hello.iproute2.replace(/^iproute2-/, '')), `${hello.iproute2} vs ${ipV}`);
    assert.equal(hello.kernel, release());
    assert.equal(hello.isRoot, process.getuid?.() === 0);
    assert.equal(hello.uid, process.getuid?.());
    assert.equal(hello.pid, h.child.pid);
    // features: the probes must agree with independent tries (veth/bridge exist on any kernel this runs on)
    if (hello.isRoot) {
      assert.equal(hello.features.veth, true);
      assert.equal(hello.features.bridge, true);
      assert.equal(hello.features.vrf, await kernelHasVrf());
      const dummy = await run(['unshare', '-n', 'ip', 'link', 'add', 'name', 'd0', 'type', 'dummy']);
      assert.equal(hello.features.dummy, dummy.code === 0);
    }
    assert.equal(hello.features.iptables, (await run(['iptables', '-V']).catch(() => ({ code: 1 }))).code === 0);
  } finally {
    await h.stop();
  }
});

test('as an unprivileged user: hello says isRoot false, discover is refused with not-root', { skip: skipRoot }, async () => {
  const h = rawHelper(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
  try {
    h.send({ id: 'a', method: 'hello' });
    const m = await h.next();
    assert.equal(m.id, 'a');
    assert.equal(m.result.isRoot, false);
    assert.equal(m.result.uid, 65534);
    h.send({ id: 'b', method: 'discover', params: {} });
    const d = await h.next();
    assert.deepEqual([d.id, d.error?.code], ['b', PROTOCOL_ERROR.notRoot]);
  } finally {
    await h.stop();
  }
});

test('answers are correlated by id, not by order: a slow discover and a quick hello overtake each other', async () => {
  const h = rawHelper();
  try {
    h.send({ id: 1, method: 'hello' });
    assert.equal((await h.next()).id, 1); // warm the feature cache: later hellos answer at once
    h.send({ id: 'slow', method: 'discover', params: { onlyPrefix: 'no-such-prefix-', nat: true } });
    h.send({ id: 3, method: 'hello' });
    const a = await h.next();
    const b = await h.next();
    const byId = new Map([a, b].map((m) => [m.id, m]));
    assert.deepEqual([...byId.keys()].sort(), [3, 'slow'].sort());
    assert.equal(a.id, 3, 'the quick request was answered first');
    assert.equal(byId.get(3)!.result.protocol, PROTOCOL_VERSION);
    assert.ok(Array.isArray(byId.get('slow')!.result.document.namespaces));
  } finally {
    await h.stop();
  }
});

test('broken input gets typed errors and the helper goes on: not JSON, not a request, unknown method, bad params, oversized', async () => {
  const h = rawHelper();
  try {
    h.sendRaw('{"id": 1, "method": \n');
    let m = await h.next();
    assert.equal(m.id, null);
    assert.equal(m.error.code, PROTOCOL_ERROR.badMessage);
    assert.match(m.error.message, /not JSON/);

    h.send({ id: 2, method: 42 });
    m = await h.next();
    assert.deepEqual([m.id, m.error.code], [2, PROTOCOL_ERROR.badMessage]);

    h.send({ id: 3, method: 'hello', extra: true });
    m = await h.next();
    assert.deepEqual([m.id, m.error.code], [3, PROTOCOL_ERROR.badMessage]);

    h.send([1, 2, 3]);
    m = await h.next();
    assert.deepEqual([m.id, m.error.code], [null, PROTOCOL_ERROR.badMessage]);

    h.send({ id: 4, method: 'rm -rf /' });
    m = await h.next();
    assert.deepEqual([m.id, m.error.code], [4, PROTOCOL_ERROR.unknownMethod]);
    assert.ok(m.error.detail.known.includes('discover'));

    for (const [id, params] of [
      [5, { onlyPrefix: '../etc' }],
      [6, { unnamed: 'yes' }],
      [7, { wipe: true }],
      [8, 'discover everything'],
    ] as const) {
      h.send({ id, method: 'discover', params });
      m = await h.next();
      assert.deepEqual([m.id, m.error.code], [id, PROTOCOL_ERROR.badParams], JSON.stringify(m));
      assert.match(m.error.message, /bad params for discover/);
      assert.ok(m.error.detail, 'bad params carry the schema errors as detail');
    }

    // one line over the limit, sent in pieces, then a good request on the same stream
    const chunk = Buffer.alloc(1024 * 1024, 'x');
    h.sendRaw('{"id": 9, "method": "hello", "params": {"client": "');
    for (let sent = 0; sent <= MAX_MESSAGE_BYTES; sent += chunk.length) h.sendRaw(chunk);
    h.sendRaw('"}}\n');
    m = await h.next();
    assert.deepEqual([m.id, m.error.code], [null, PROTOCOL_ERROR.tooLarge]);

    h.send({ id: 10, method: 'hello' });
    m = await h.next();
    assert.equal(m.id, 10);
    assert.equal(m.result.protocol, PROTOCOL_VERSION);
    assert.equal(h.child.exitCode, null, 'the helper is still running');
  } finally {
    await h.stop();
  }
  assert.doesNotMatch(h.stderr(), /unhandled/);
});

test('requests sent before the client half-closes are still answered (`echo … | helper`), then the helper exits 0', async () => {
  const h = rawHelper();
  h.send({ id: 1, method: 'hello' });
  h.send({ id: 2, method: 'discover', params: { onlyPrefix: 'no-such-prefix-' } });
  h.child.stdin.end();
  const got = [await h.next(), await h.next()].map((m) => m.id).sort();
  assert.deepEqual(got, [1, 2]);
  assert.equal(await h.exited, 0);
});
