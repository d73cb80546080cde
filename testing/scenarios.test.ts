/**
 * Each seed scenario (fixtures/scenarios/) on the real kernel: the exported shell
 * script builds exactly what the hand-written reference builds (same canonical
 * dump), the pings hold, the kernel picks the routes route-gets names, setup is idempotent and teardown leaves the sandbox as
 * it was. The VRF scenario on a kernel without VRF must stop with a clear
 * message and change nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelSkipReason } from './sandbox';
import { loadScenario, scenarioNames } from './scenarios';
import { kernelHasVrf, runExported, runReference } from './scenario-harness';

const skip = kernelSkipReason();
if (skip) console.log(`# scenario kernel tests skipped: ${skip}`);

for (const name of scenarioNames()) {
  test(`scenario ${name}: exported script == reference, pings, idempotent, teardown`, { skip }, async () => {
    const sc = loadScenario(name);
    const vrf = sc.needsVrf ? await kernelHasVrf() : true;
    if (!vrf) {
      const r = await runExported(sc);
      assert.notEqual(r.up.code, 0, 'the script must fail without VRF');
      assert.match(r.up.stderr, /needs VRF.*kernel lacks/);
      assert.deepEqual(r.dump, r.fresh, 'nothing may change when the kernel lacks VRF');
      console.log(`# ${name}: kernel lacks VRF; script said: ${r.up.stderr.trim()}`);
      return;
    }
    const ref = await runReference(sc);
    assert.deepEqual(ref.pingFailures, [], 'the reference build must satisfy the pings (fixture check)');
    assert.deepEqual(ref.routeGetFailures, [], 'the reference build must route as route-gets says (fixture check)');
    const r = await runExported(sc);
    assert.equal(r.up.code, 0, `setup failed: ${r.up.stderr}`);
    assert.deepEqual(r.dump, ref.dump, 'the exported script must build what the reference builds');
    assert.deepEqual(r.pingFailures, []);
    assert.deepEqual(r.routeGetFailures, [], 'the kernel routes as route-gets says');
    assert.equal(r.upAgain.code, 0, `setup run twice failed: ${r.upAgain.stderr}`);
    assert.deepEqual(r.dumpAgain, r.dump, 'running setup twice must change nothing');
    assert.equal(r.down.code, 0, `teardown failed: ${r.down.stderr}`);
    assert.deepEqual(r.dumpDown, r.fresh, 'teardown must leave the sandbox as it was');
    assert.equal(r.downAgain.code, 0, `teardown run twice failed: ${r.downAgain.stderr}`);
    console.log(`# ${name}: setup ${r.upMs.toFixed(0)} ms`);
  });
}
