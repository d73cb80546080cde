/**
 * Policy rules changed by hand (`ip rule add/del`, IPv4 and IPv6) inside a
 * namespace are watch events of their own: the namespace-changed event carries
 * the rule in its observed facts and in its part of the document, and a client
 * that applies the events (testing/watch-mirror.ts) holds the same rules as a
 * fresh discover. A rule the document cannot say shows in the observed facts
 * only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedNamespace } from '../../shared/model/observed';
import type { PolicyRule } from '../../shared/model/schema';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { runOk } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { WatchMirror, type MirroredEvent } from '../../testing/watch-mirror';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping watch policy rule tests: ${skip}`);
process.env.NETNS_STUDIO_WATCH_SELFCHECK = '1';

const observedRules = (o: ObservedNamespace) => o.rules.filter((r) => r.priority > 0 && r.priority < 32766).map((r) => `${r.family} ${r.text}`);

test(
  'a policy rule added and deleted by hand (IPv4 and IPv6) is a watch event carrying it in the observed facts and the document',
  { skip, timeout: 60_000 },
  async () => {
    await withSandbox('wrule', async (sb) => {
      await runOk(['ip', 'netns', 'add', sb.ns('a')]);
      const h = await startSandboxHelper(sb);
      try {
        const mirror = new WatchMirror();
        await h.subscribe('watch.subscribe', { onlyPrefix: sb.prefix, stripPrefix: true }, (e) => mirror.accept(e));
        await mirror.next((e) => e.data.type === 'resync', { what: 'first resync' });
        const rulesOf = (e: MirroredEvent): PolicyRule[] | undefined => e.document.namespaces.find((n) => n.name === 'a')?.rules;
        const step = async (what: string, argv: string[], seen: (o: ObservedNamespace) => boolean) => {
          const from = mirror.count;
          await runOk(['ip', '-n', sb.ns('a'), ...argv]);
          return mirror.next((e) => e.data.type === 'namespace-changed' && e.data.namespace === 'a' && seen(e.data.observed), { from, what, timeoutMs: 3000 });
        };

        let e = await step('IPv4 rule added', ['rule', 'add', 'priority', '100', 'from', '10.9.0.0/24', 'table', '100'], (o) =>
          observedRules(o).includes('4 100: from 10.9.0.0/24 lookup 100'),
        );
        assert.ok(e.data.type === 'namespace-changed');
        assert.deepEqual(e.data.part.entry?.rules, [{ priority: 100, from: '10.9.0.0/24', table: 100 }], "the event's document part holds the rule");
        assert.deepEqual(rulesOf(e), [{ priority: 100, from: '10.9.0.0/24', table: 100 }]);

        e = await step('IPv6 rule added', ['-6', 'rule', 'add', 'priority', '101', 'from', '2001:db8:9::/64', 'fwmark', '0x4/0xf', 'table', '200'], (o) =>
          observedRules(o).some((r) => r.startsWith('6 101:')),
        );
        assert.deepEqual(rulesOf(e), [
          { priority: 100, from: '10.9.0.0/24', table: 100 },
          { priority: 101, from: '2001:db8:9::/64', fwmark: 4, fwmask: 0xf, table: 200 },
        ]);

        e = await step('blackhole rule added', ['rule', 'add', 'priority', '90', 'to', '10.66.0.0/16', 'blackhole'], (o) =>
          observedRules(o).some((r) => r.startsWith('4 90:')),
        );
        assert.deepEqual(
          rulesOf(e)?.map((r) => [r.priority, r.action]),
          [
            [90, 'blackhole'],
            [100, undefined],
            [101, undefined],
          ],
        );

        e = await step('IPv4 rule deleted', ['rule', 'del', 'priority', '100'], (o) => !observedRules(o).some((r) => r.startsWith('4 100:')));
        assert.deepEqual(
          rulesOf(e)?.map((r) => r.priority),
          [90, 101],
          "the deleted rule is gone from the client's document",
        );

        // a rule the document cannot say: observed, but the document part stays as it was
        e = await step('rule with tos added', ['rule', 'add', 'priority', '120', 'tos', '0x10', 'table', '100'], (o) =>
          observedRules(o).some((r) => r.startsWith('4 120:')),
        );
        assert.deepEqual(
          rulesOf(e)?.map((r) => r.priority),
          [90, 101],
        );
        assert.deepEqual(mirror.namespaces.get('a')?.rules.find((r) => r.priority === 120)?.unsaid, ['tos 0x10']);

        e = await step('IPv6 rule deleted', ['-6', 'rule', 'del', 'priority', '101'], (o) => !observedRules(o).some((r) => r.startsWith('6 101:')));
        assert.deepEqual(
          rulesOf(e)?.map((r) => r.priority),
          [90],
        );

        // what the client holds is what a fresh discover reads
        const fresh = await discoverSandbox(h, sb);
        assert.deepEqual(mirror.document?.namespaces.find((n) => n.name === 'a')?.rules, fresh.document.namespaces.find((n) => n.name === 'a')?.rules);
        assert.deepEqual(mirror.gaps, []);
        assert.equal(
          mirror.events.filter((x) => x.data.type === 'resync').length,
          1,
          'no resync: each change came as its own event (self-check found no difference)',
        );
      } finally {
        await h.close();
      }
    });
  },
);
