/**
 * watch of unnamed namespaces on the real kernel, through a real helper:
 * announced and removed without any link to the host (the periodic process
 * scan), one name across holder changes, and `ip netns attach` turning an
 * unnamed namespace into a named one with the host's veth peer following it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedNamespace } from '../../shared/model/observed';
import { startSandboxHelper } from '../../testing/discover-support';
import { startHolder, type Holder } from '../../testing/ns-holders';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { waitUntil } from '../../testing/until';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping unnamed watch tests: ${skip}`);
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

const named = (type: string, name: string) => (e: MirroredEvent) => e.data.type === type && 'namespace' in e.data && e.data.namespace === name;
const toBoxPeer = (m: WatchMirror) => m.namespaces.get('host')?.links.find((l) => l.name === 'to-box')?.peer?.namespace;

test(
  'unnamed namespaces with no host link are announced and removed; holder changes keep the name; attach re-resolves the peer',
  { skip, timeout: 90_000 },
  async () => {
    await withSandbox('wunnamed', async (sb) => {
      const held: Holder[] = [];
      const h = await startSandboxHelper(sb);
      try {
        const m = new WatchMirror();
        await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true, unnamed: true }, (e) => m.accept(e));
        await m.next((e) => e.data.type === 'resync', { what: 'resync' });

        // a namespace with no link anywhere: only the process scan can see it
        let from = m.count;
        const a = await startHolder(sb, ['unshare', '-n', 'sleep', '300'], 'sleep');
        held.push(a);
        const name = `inode:${a.inode}`;
        const added = await m.next(named('namespace-added', name), { from, what: `added ${name}` });
        assert.ok(added.data.type === 'namespace-added' && added.data.observed.holders?.some((x) => x.pid === a.pid));
        assert.deepEqual(added.data.type === 'namespace-added' && added.data.observed.identity, { source: 'process', label: `sleep ${a.pid}` });

        // a second holder joins, the first leaves: same namespace, same name, never removed
        from = m.count;
        const b = await startHolder(sb, ['nsenter', `--net=/proc/${a.pid}/ns/net`, 'sleep', '301'], 'sleep', a.inode);
        held.push(b);
        await a.kill();
        await m.next(
          (e) =>
            named('namespace-changed', name)(e) &&
            e.data.type === 'namespace-changed' &&
            JSON.stringify(e.data.observed.holders?.map((x) => x.pid)) === JSON.stringify([b.pid]),
          { from, what: `${name} held by ${b.pid} alone` },
        );
        assert.equal(
          m.events.slice(from).some((e) => named('namespace-removed', name)(e) || named('namespace-added', name)(e)),
          false,
          'a holder change is not a removal',
        );

        // a veth from the host into it; then `ip netns attach` names it and the host's peer follows
        assert.equal((await sb.bash(`ip link add name to-box type veth peer name in-box netns ${b.pid}`)).code, 0);
        await waitUntil(`the host's peer in the unnamed namespace (is ${toBoxPeer(m)})`, () => toBoxPeer(m) === name);
        from = m.count;
        assert.equal((await sb.bash(`ip netns attach \${P}att ${b.pid}`)).code, 0);
        await m.next(named('namespace-added', 'att'), { from, what: 'att added' });
        await m.next(named('namespace-removed', name), { from, what: `${name} removed (now named)` });
        await waitUntil(`the host's peer re-resolved to att (is ${toBoxPeer(m)})`, () => toBoxPeer(m) === 'att');
        assert.equal(m.namespaces.get('att')?.links.find((l) => l.name === 'in-box')?.peer?.namespace, 'host');

        // the last process of a namespace with no host link exits: removed
        from = m.count;
        const c = await startHolder(sb, ['unshare', '-n', 'sleep', '302'], 'sleep');
        held.push(c);
        const cName = `inode:${c.inode}`;
        await m.next(named('namespace-added', cName), { from, what: `added ${cName}` });
        from = m.count;
        await c.kill();
        await m.next(named('namespace-removed', cName), { from, what: `removed ${cName}` });
        assert.ok(!m.namespaces.has(cName));
        assert.deepEqual(m.gaps, []);
        const seen = [...m.namespaces.values()].filter((n: ObservedNamespace) => !n.named).map((n) => n.name);
        assert.ok(!seen.includes(name) && !seen.includes(cName));
      } finally {
        for (const x of held) await x.kill();
        await h.close();
      }
    });
  },
);
