/**
 * Property: for random small topologies (testing/reach-arbitrary.ts), applied
 * to a sandbox with the exported script, the reachability matrix predicted from
 * the document and from the live host both equal real pings for every pair.
 * Bounded: at most 6 namespaces, a fixed number of runs, no shrinking (each run
 * builds a sandbox); the failing document is printed as YAML with its seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exportYaml } from '../../shared/export/yaml';
import { netOfDocument } from '../../shared/reach/from-document';
import { netOfObserved } from '../../shared/reach/from-observed';
import { reachMatrix } from '../../shared/reach/matrix';
import { stripHost } from '../discover/index';
import { discoverSandbox, startSandboxHelper } from '../../testing/discover-support';
import { reachTopology } from '../../testing/reach-arbitrary';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { runScript, writeScript } from '../../testing/scenario-harness';
import { waitSettled } from '../../testing/settle';
import type {} from '../methods/ping';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping reach property test: ${skip}`);
const RUNS = Number(process.env.REACH_PROPERTY_RUNS ?? 6);

test(`reach property: ${RUNS} random topologies, prediction (design and live) == ping for every pair`, { skip, timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(reachTopology, async (doc) => {
      await withSandbox('rprop', async (sb) => {
        const script = writeScript({ name: 'prop', doc }, sb);
        try {
          const up = await runScript(sb, script.path, 'up');
          assert.equal(up.code, 0, `exported script failed: ${up.stderr}`);
        } finally {
          script.remove();
        }
        await waitSettled(sb);
        const designed = reachMatrix(netOfDocument(doc), { hops: false });
        const h = await startSandboxHelper(sb);
        try {
          const d = await discoverSandbox(h, sb, { filter: true });
          const live = reachMatrix(netOfObserved(stripHost(d.observed, sb.prefix)), { hops: false });
          const pings = await h.request<'ping'>(
            'ping',
            { pings: designed.map((r) => ({ from: r.from === 'host' ? 'host' : sb.ns(r.from), to: r.to, count: 2, timeoutMs: 1000 })), lanes: 8 },
            { timeoutMs: 300_000 },
          );
          const off: string[] = [];
          designed.forEach((r, i) => {
            const actual = pings.results[i].ok ? 'ok' : 'fail';
            const l = live.find((x) => x.from === r.from && x.to === r.to && x.toNamespace === r.toNamespace);
            if (r.predicted !== actual) off.push(`design: ${r.from} → ${r.to} (${r.toNamespace}) predicted ${r.predicted}, ping ${actual}: ${r.reason}`);
            if (l?.predicted !== actual) off.push(`live:   ${r.from} → ${r.to} (${r.toNamespace}) predicted ${l?.predicted}, ping ${actual}: ${l?.reason}`);
          });
          if (off.length) console.log(`# reach property: ${off.length} disagreements:\n${off.map((x) => `#   ${x}`).join('\n')}`);
          if (off.length && process.env.REACH_PROPERTY_DEBUG) console.log(exportYaml(doc));
          assert.deepEqual(off, [], `disagreements for this topology:\n${exportYaml(doc)}`);
        } finally {
          await h.close();
        }
      });
    }),
    { numRuns: RUNS, endOnFailure: true, verbose: 1, ...(process.env.REACH_PROPERTY_SEED ? { seed: Number(process.env.REACH_PROPERTY_SEED) } : {}) },
  );
});
