/**
 * discover on the real kernel, for every seed scenario (fixtures/scenarios):
 * after the hand-written reference build, a helper inside the sandbox must
 * report every namespace, link, veth pairing, bridge membership, address, route,
 * sysctl, NAT rule and resolv.conf:
 *   - the discovered document equals the scenario's topology.yaml (modulo what
 *     the kernel does not hold: forwarders, metadata, and route devs it fills in);
 *   - the observed facts equal our canonical host dump, read independently.
 * Then the round trip: discovered document → exported shell script → its `down`
 * removes the reference completely (nothing discover missed is left) → its `up`
 * rebuilds it: the host dump equals the reference's, and the pings hold.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateTopology } from '../../shared/validate/validate';
import { comparableTopology, observedAsDump, withImpliedRouteDevs, withoutRules } from '../../testing/discover-compare';
import { discoverSandbox, sandboxLabel, startSandboxHelper } from '../../testing/discover-support';
import { assertRoundTrip } from '../../testing/discover-roundtrip';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { kernelHasVrf } from '../../testing/scenario-harness';
import { loadScenario, scenarioNames } from '../../testing/scenarios';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping discover scenario tests: ${skip}`);

for (const name of scenarioNames()) {
  test(`discover ${name}: document == topology.yaml, observed == host dump, round trip through the exported script`, { skip }, async (t) => {
    const sc = loadScenario(name);
    if (sc.needsVrf && !(await kernelHasVrf())) {
      const why = `kernel lacks VRF (ip link add … type vrf fails), so ${name}/reference-up.sh cannot build it`;
      console.log(`# ${name}: skipped: ${why}`);
      t.skip(why);
      return;
    }
    await withSandbox(`dsc${name.slice(0, 2)}`, async (sb) => {
      const empty = await hostDump(sb);
      const ref = await sb.bash(sc.referenceUp);
      assert.equal(ref.code, 0, `reference-up.sh failed: ${ref.stderr}`);
      const refDump = await hostDump(sb);
      const h = await startSandboxHelper(sb);
      try {
        const d = await discoverSandbox(h, sb);
        assert.deepEqual(d.observed.warnings, []);
        // every fact the reference made, in document form
        assert.deepEqual(comparableTopology(d.document), comparableTopology(withImpliedRouteDevs(sc.doc)));
        assert.deepEqual(
          validateTopology(d.document).filter((i) => i.severity === 'error'),
          [],
          'discover output must validate',
        );
        // and as observed facts, against an independent reader
        assert.deepEqual(observedAsDump(d.observed, sandboxLabel(sb)), withoutRules(refDump));

        await assertRoundTrip(sb, d.document, { empty, built: refDump, pings: sc.pings, routeGets: sc.routeGets });
        const again = await discoverSandbox(h, sb);
        assert.deepEqual(again.document, d.document, 'discovering the rebuilt host gives the same document');
      } finally {
        await h.close();
      }
    });
  });
}
