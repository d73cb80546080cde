/** `netns-studio plan|apply|destroy` end to end, in a sandbox (the CLI runs under `nsenter --net`, so host = the sandbox). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostDump } from '../../testing/host-dump';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { scenarioDoc } from '../../testing/apply-support';
import { runCliInSandbox } from '../../testing/cli-runner';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping CLI apply tests: ${skip}`);

test('plan shows commands by namespace (exit 2), apply asks or needs --yes, re-plan exits 0, destroy restores', { skip }, async () => {
  await withSandbox('cli', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-cli-'));
    try {
      const file = join(dir, 'topology.yaml');
      writeFileSync(file, stringify(scenarioDoc('04-router-nat', sb)));
      const empty = await hostDump(sb);
      const state = ['--state-dir', join(dir, 'state')];

      const plan = await runCliInSandbox(sb, 'plan', file, ...state);
      assert.equal(plan.code, 2, plan.stderr);
      assert.match(plan.stdout, new RegExp(`# namespace ${sb.ns('ns1')}`));
      assert.match(plan.stdout, new RegExp(`ip -n ${sb.ns('ns1')} link set dev lo up`));
      assert.match(plan.stdout, new RegExp(`ip netns exec ${sb.ns('ns-router')} iptables (-w )?-t nat -A POSTROUTING`));
      assert.match(plan.stdout, /^Plan: \d+ to create, \d+ to change, 0 to delete/m);

      const json = await runCliInSandbox(sb, 'plan', file, '--json', ...state);
      const parsed = JSON.parse(json.stdout);
      assert.match(parsed.planHash, /^[0-9a-f]{64}$/);
      assert.ok(parsed.steps.length > 10);

      const noTty = await runCliInSandbox(sb, 'apply', file, ...state);
      assert.equal(noTty.code, 1);
      assert.match(noTty.stderr, /pass --yes/);
      assert.deepEqual(await hostDump(sb), empty);

      const apply = await runCliInSandbox(sb, 'apply', file, '--yes', ...state);
      assert.equal(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, /^\[\d+\/\d+\] /m, 'plain progress lines without a terminal');
      assert.match(apply.stdout, /The host matches/);

      const again = await runCliInSandbox(sb, 'plan', file, ...state);
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.match(again.stdout, /Nothing to do/);

      const destroyPlan = await runCliInSandbox(sb, 'plan', '--destroy', file, ...state);
      assert.equal(destroyPlan.code, 2);
      assert.match(destroyPlan.stdout, new RegExp(`ip netns del ${sb.ns('ns1')}`));

      const destroy = await runCliInSandbox(sb, 'destroy', file, '--yes', ...state);
      assert.equal(destroy.code, 0, destroy.stderr);
      assert.deepEqual(await hostDump(sb), empty);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('a broken file: exit 1, a located error, nothing changed', { skip }, async () => {
  await withSandbox('clibad', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-cli-'));
    try {
      const file = join(dir, 'bad.yaml');
      writeFileSync(file, `apiVersion: netns-studio/v1\nkind: Topology\nnamespaces:\n  - name: "a;rm -rf /"\n`);
      const before = await hostDump(sb);
      for (const cmd of ['plan', 'apply', 'destroy']) {
        const r = await runCliInSandbox(sb, cmd, file, ...(cmd === 'plan' ? [] : ['--yes']), '--state-dir', join(dir, 'state'));
        assert.equal(r.code, 1, `${cmd}: ${r.stdout}`);
        assert.match(r.stderr, /bad\.yaml:4:/);
      }
      assert.deepEqual(await hostDump(sb), before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
