/**
 * watch on the real kernel, through a real helper: a namespace with many links
 * (the host of 500 veths) is read outside the rounds, so a small namespace's
 * change that comes while it is read is sent at once. The big read is held by
 * the helper's test hold (./test-hold.ts) until the test releases it: no clock,
 * only the order of events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObservedNamespace } from '../../shared/model/observed';
import { startStdioHelper } from '../client';
import { sandboxHelperWrap } from '../../testing/discover-support';
import { runOk } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { waitUntil } from '../../testing/until';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';
import { BIG_LINKS } from './session';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the big-read watch test: ${skip}`);
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

const up = (ns: ObservedNamespace | undefined, link: string) => ns?.links.find((l) => l.name === link)?.up === true;
const changed = (name: string, link: string) => (e: MirroredEvent) =>
  e.data.type === 'namespace-changed' && e.data.namespace === name && up(e.data.observed, link);

test("a small namespace's change is sent while a big namespace's read is still in flight", { skip, timeout: 90_000 }, async () => {
  await withSandbox('wbig', async (sb) => {
    const big = sb.ns('big');
    const small = sb.ns('small');
    await runOk(['ip', 'netns', 'add', big]);
    await runOk(['ip', 'netns', 'add', small]);
    const links = Array.from({ length: BIG_LINKS + 6 }, (_, i) => `link add name d${i} type bridge`);
    await runOk(['ip', '-n', big, '-batch', '-'], { input: links.join('\n') + '\n' });
    await runOk(['ip', '-n', small, 'link', 'add', 'name', 's0', 'type', 'bridge']);
    const hold = mkdtempSync(join(tmpdir(), 'nst-hold-'));
    const h = await startStdioHelper({ wrap: sandboxHelperWrap(sb), env: { ...process.env, NETNS_STUDIO_TEST_HOLD_BIG_READ: hold } });
    try {
      const m = new WatchMirror();
      await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => m.accept(e));
      await m.next((e) => e.data.type === 'resync', { what: 'resync' });
      assert.ok((m.namespaces.get('big')?.links.length ?? 0) > BIG_LINKS, 'big has more links than BIG_LINKS');

      // the big namespace changes; its read is held once done
      const from = m.count;
      await runOk(['ip', '-n', big, 'link', 'set', 'dev', 'd0', 'up']);
      await waitUntil('the big read to be held', () => existsSync(join(hold, 'held')));

      // meanwhile the small one changes: its event comes while big's read is still held
      await runOk(['ip', '-n', small, 'link', 'set', 'dev', 's0', 'up']);
      await m.next(changed('small', 's0'), { from, what: "small's event while big's read is held", timeoutMs: 15_000 });
      assert.equal(m.events.slice(from).some(changed('big', 'd0')), false, "big's event waits for its read");

      writeFileSync(join(hold, 'release'), '');
      await m.next(changed('big', 'd0'), { from, what: "big's event once its read is released", timeoutMs: 15_000 });
      assert.deepEqual(m.gaps, []);
      assert.equal(m.events.filter((e) => e.data.type === 'resync').length, 1, 'no resync (the self-check found the documents equal)');
    } finally {
      await h.close();
      rmSync(hold, { recursive: true, force: true });
    }
  });
});
