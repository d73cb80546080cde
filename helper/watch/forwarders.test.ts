/**
 * Running forwarders are host state: discover puts them in its document, and so
 * must every watch event's document, or the live view loses them after the first
 * change. A forwarder is started with the forwarders runtime over a private state
 * dir (NETNS_STUDIO_FORWARDERS_DIR, which the helper inherits), then links change
 * in the namespace it listens in and in another one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Forwarder } from '../../shared/model/schema';
import { startStdioHelper } from '../client';
import { createForwarderRuntime } from '../forwarders/runtime';
import { sandboxHelperWrap } from '../../testing/discover-support';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { runOk } from '../../testing/run';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping watch forwarder test: ${skip}`);

const ip = (...argv: string[]) => runOk(['ip', ...argv]);
const forwardersOf = (e: MirroredEvent | undefined) => e?.document.forwarders ?? [];

test('watch documents keep the running forwarders after every change', { skip, timeout: 90_000 }, async () => {
  await withSandbox('wfwd', async (sb) => {
    const a = sb.ns('a');
    const b = sb.ns('b');
    for (const n of [a, b]) {
      await ip('netns', 'add', n);
      await ip('-n', n, 'link', 'set', 'dev', 'lo', 'up');
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wfwd-'));
    const rt = createForwarderRuntime({ dir, wrap: sandboxHelperWrap(sb) });
    const spec: Forwarder = {
      name: 'web',
      protocol: 'tcp',
      listen: { namespace: a, address: '127.0.0.1', port: 8000 },
      target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
    };
    try {
      await rt.start(spec);
      const h = await startStdioHelper({ wrap: sandboxHelperWrap(sb), env: { ...process.env, NETNS_STUDIO_FORWARDERS_DIR: dir } });
      try {
        const mirror = new WatchMirror();
        await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => mirror.accept(e));
        // as the document names it: the listening namespace without the sandbox prefix
        const expected = { ...spec, listen: { ...spec.listen, namespace: 'a' } };
        assert.equal(mirror.events[0]?.data.type, 'resync');
        assert.deepEqual(forwardersOf(mirror.events[0]), [expected], 'the first resync has the forwarder');

        const changed = async (ns: string, name: string, ...cmd: string[]) => {
          const from = mirror.count;
          await ip(...cmd);
          return mirror.next((e) => e.data.type === 'namespace-changed' && e.data.namespace === name, { from, what: `change in ${name}`, timeoutMs: 10_000 });
        };
        let e = await changed(a, 'a', '-n', a, 'link', 'add', 'name', 'br0', 'type', 'bridge');
        assert.deepEqual(forwardersOf(e), [expected], 'a change where the forwarder listens');
        e = await changed(b, 'b', '-n', b, 'link', 'add', 'name', 'br1', 'type', 'bridge');
        assert.deepEqual(forwardersOf(e), [expected], 'a change elsewhere');

        // stopped: the next event's document no longer has it
        await rt.stop('web');
        e = await changed(b, 'b', '-n', b, 'link', 'set', 'dev', 'br1', 'mtu', '1400');
        assert.deepEqual(forwardersOf(e), []);
        assert.deepEqual(mirror.gaps, []);
      } finally {
        await h.close();
      }
    } finally {
      for (const f of await rt.list()) await rt.stop(f.name);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
