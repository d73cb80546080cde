/**
 * watch on the real kernel, through a real helper: a change in an unnamed
 * namespace comes from the kernel under an nsid the hub has no name for. The
 * host's resolved veth peers say which namespace that is, so only it is re-read:
 * no listing of /proc per such event (on a busy host a listing costs hundreds of
 * ms). The helper's trace (NETNS_STUDIO_WATCH_TRACE=1) logs each unknown nsid and
 * each listing with its reasons; listings the process scan or /run/netns cause
 * (other people's processes and namespaces on this machine) are not the event's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startStdioHelper } from '../client';
import { sandboxHelperWrap } from '../../testing/discover-support';
import { startHolder, type Holder } from '../../testing/ns-holders';
import { runOk } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { waitUntil } from '../../testing/until';
import { WatchMirror } from '../../testing/watch-mirror';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping the unknown-nsid watch test: ${skip}`);
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

const CHANGES = 8;
/** listings that come from outside the test's events */
const ELSEWHERE = new Set(['scan', 'dir']);

test('changes under an unknown nsid re-read their namespace without listing /proc', { skip, timeout: 90_000 }, async () => {
  await withSandbox('wnsid', async (sb) => {
    let trace = '';
    const h = await startStdioHelper({ wrap: sandboxHelperWrap(sb), env: { ...process.env, NETNS_STUDIO_WATCH_TRACE: '1' }, onStderr: (d) => (trace += d) });
    let held: Holder | undefined;
    try {
      const m = new WatchMirror();
      await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true, unnamed: true }, (e) => m.accept(e));
      await m.next((e) => e.data.type === 'resync', { what: 'resync' });
      held = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
      const name = `inode:${held.inode}`;
      // a veth from the host gives it an nsid in the host: the monitor hears it from then on
      assert.equal((await sb.bash(`ip link add name to-box type veth peer name in-box netns ${held.pid}`)).code, 0);
      await waitUntil(`the host's peer resolved to ${name}`, () => m.namespaces.get('host')?.links.find((l) => l.name === 'to-box')?.peer?.namespace === name);

      const start = trace.length;
      for (let i = 0; i < CHANGES; i++) {
        const from = m.count;
        await runOk(['nsenter', `--net=/proc/${held.pid}/ns/net`, 'ip', 'link', 'add', 'name', `b${i}`, 'type', 'bridge']);
        await m.next((e) => e.data.type === 'namespace-changed' && e.data.namespace === name && e.data.observed.links.some((l) => l.name === `b${i}`), {
          from,
          what: `${name} with b${i}`,
          timeoutMs: 10_000,
        });
      }
      const lines = trace.slice(start).split('\n');
      const unknown = lines.filter((l) => l.includes('watch-trace unknown nsid')).length;
      const listings = lines.filter((l) => l.includes('watch-trace listed')).map((l) => /reasons=(\S*)/.exec(l)?.[1] ?? '');
      console.log(`# ${unknown} unknown-nsid events, ${listings.length} listings (${listings.join(' ') || 'none'})`);
      assert.ok(unknown >= CHANGES, `each change came under an nsid the hub could not name (${unknown})`);
      const ours = listings.filter((r) => r.split(',').some((x) => !ELSEWHERE.has(x)));
      assert.deepEqual(ours, [], 'no listing caused by the changes themselves');
    } finally {
      await held?.kill();
      await h.close();
    }
  });
});
