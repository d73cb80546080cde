/**
 * Apply's confirming plan takes the readiness wait's last read of each namespace
 * as read instead of reading the host again (./pipeline.ts, ./ready.ts `reads`,
 * ../discover/index.ts `recent`). Shown on the kernel: after the wait, a change
 * made by hand is not seen through the reused reads (nothing was read again),
 * while a namespace deleted and created again under the same name (another
 * inode) is read afresh; and a whole apply that reuses them still confirms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology } from '../../shared/model/schema';
import { objectKey } from '../../shared/model/ids';
import { prefixTopology } from '../../testing/prefix';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { readTargets, type RecentReads } from '../discover/index';
import { namedTarget, type Target } from '../discover/targets';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument } from './pipeline';
import { waitReady } from './ready';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping verify-reads tests: ${skip}`);

const pair = Topology.parse({
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [{ name: 'a' }, { name: 'b' }],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'eth0', addresses: ['10.77.0.1/24'] },
        { namespace: 'b', name: 'eth0', addresses: ['10.77.0.2/24'] },
      ],
    },
  ],
});

const addressesOf = (nss: { name: string; links: { addresses: { cidr: string }[] }[] }[], name: string) =>
  nss.find((n) => n.name === name)?.links.flatMap((l) => l.addresses.map((a) => a.cidr)) ?? [];

test('readiness reads stand for the confirming read: reused by path and inode, re-read when the namespace was re-created', { skip }, async () => {
  await withSandbox('vrd', async (sb) =>
    withStateDir(async (dir) => {
      const doc = prefixTopology(pair, sb);
      const ctx = { engine: hostEngine(), stateDir: dir, wrap: sandboxWrap(sb) };
      const r = await applyDocument(doc, {}, ctx);
      assert.ok(r.matches, JSON.stringify(r.remaining));
      assert.ok(r.readiness?.ready, JSON.stringify(r.readiness));

      const [a, b] = [sb.ns('a'), sb.ns('b')];
      const reads: RecentReads = new Map();
      const ready = await waitReady(
        {
          links: [a, b].map((ns) => ({ key: objectKey.link(ns, 'eth0'), ns, name: 'eth0', kind: 'veth' as const })),
          ports: [],
          addresses: [],
          forwarders: [],
          heldDown: [],
        },
        { reads },
      );
      assert.ok(ready.ready, JSON.stringify(ready));
      const targets = () => [a, b].map((n) => namedTarget(n)).filter((t): t is Target => t !== undefined);
      assert.deepEqual(
        [...reads.keys()].sort(),
        targets()
          .map((t) => t.path)
          .sort(),
        'the wait keeps its read of each namespace it read',
      );

      // changed by hand after the wait: the reused read does not show it, a fresh read does
      assert.equal((await sb.inNs('a', ['ip', 'address', 'add', '10.77.9.9/32', 'dev', 'lo'])).code, 0);
      assert.ok(!addressesOf(await readTargets(targets(), { recent: reads }), a).includes('10.77.9.9/32'), 'a read of the wait stood for a');
      assert.ok(addressesOf(await readTargets(targets(), {}), a).includes('10.77.9.9/32'));

      // b deleted and added again under its name: another namespace, read afresh
      assert.equal((await sb.inHost(['ip', 'netns', 'del', b])).code, 0);
      assert.equal((await sb.inHost(['ip', 'netns', 'add', b])).code, 0);
      const again = await readTargets(targets(), { recent: reads });
      assert.deepEqual(addressesOf(again, b), [], 'the re-created b has no eth0 and no address');
      assert.deepEqual(
        addressesOf(again, a).filter((c) => c.startsWith('10.77.0.')),
        ['10.77.0.1/24'],
      );

      await destroyDocument(doc, {}, ctx);
    }),
  );
});
