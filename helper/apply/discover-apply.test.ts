/**
 * The round trip of a host built by hand with plain `ip`, through the product
 * itself: discover it, take it down, and apply the discovered document with the
 * real apply engine. The host dump must equal the hand-built one, the pings hold
 * and the kernel picks the same route for each source (route-gets): a policy rule
 * lost on the way would send a subnet out of the wrong uplink. Every scenario
 * that says which routes its kernel must pick takes part (07-policy-routing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { hostDump } from '../../testing/host-dump';
import { checkPingsSettled } from '../../testing/pings';
import { prefixTopology } from '../../testing/prefix';
import { checkRouteGets, describeRouteGets } from '../../testing/route-gets';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { runScript, writeScript } from '../../testing/scenario-harness';
import { loadScenario, scenarioNames } from '../../testing/scenarios';
import { sandboxWrap, withStateDir } from '../../testing/apply-support';
import { hostEngine } from './engine';
import { applyDocument, destroyDocument } from './pipeline';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping discover → apply tests: ${skip}`);

const withRoutes = scenarioNames()
  .map(loadScenario)
  .filter((sc) => sc.routeGets.length > 0 && !sc.needsVrf);

for (const sc of withRoutes) {
  test(`scenario ${sc.name}: discover → down → apply gives the same host, pings and routes per source`, { skip }, async () => {
    await withSandbox(`da${sc.name.slice(0, 2)}`, async (sb) => {
      const empty = await hostDump(sb);
      const ref = await sb.bash(sc.referenceUp);
      assert.equal(ref.code, 0, `reference-up.sh failed: ${ref.stderr}`);
      const built = await hostDump(sb);
      assert.deepEqual(await checkPingsSettled(sb, sc.pings), [], 'the hand-built host satisfies the pings (fixture check)');
      assert.deepEqual(describeRouteGets(await checkRouteGets(sb, sc.routeGets)), [], 'the hand-built host routes as route-gets says (fixture check)');

      const h = await startSandboxHelper(sb);
      const d = await discoverSandbox(h, sb).finally(() => h.close());
      assert.deepEqual(d.observed.warnings, []);

      // down: the discovered document's own script removes it all
      const script = writeScript({ name: 'discovered', doc: d.document }, sb);
      try {
        const down = await runScript(sb, script.path, 'down');
        assert.equal(down.code, 0, `down failed: ${down.stderr}`);
      } finally {
        script.remove();
      }
      assert.deepEqual(await hostDump(sb), empty, 'down removed everything discover saw');

      await withStateDir(async (stateDir) => {
        const ctx = { engine: hostEngine(), stateDir, wrap: sandboxWrap(sb) };
        const doc = prefixTopology(d.document, sb);
        const r = await applyDocument(doc, {}, ctx);
        assert.equal(r.matches, true, JSON.stringify(r.remaining));
        assert.deepEqual(await hostDump(sb), built, 'applying the discovered document rebuilds the hand-built host');
        assert.deepEqual(await checkPingsSettled(sb, sc.pings), [], 'the pings hold after apply');
        assert.deepEqual(describeRouteGets(await checkRouteGets(sb, sc.routeGets)), [], 'each source leaves by its own route after apply');
        const gone = await destroyDocument(doc, {}, ctx);
        assert.equal(gone.matches, true);
        assert.deepEqual(await hostDump(sb), empty);
      });
    });
  });
}
