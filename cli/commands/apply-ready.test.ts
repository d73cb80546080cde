/**
 * `netns-studio apply --yes && ping -c1 -W1 …` works: the CLI process waits until
 * the network is usable before it exits; `--wait-timeout` bounds that wait and
 * exit code 3 names what was not usable; `--no-wait` skips it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Topology } from '../../shared/model/schema';
import { checkPings } from '../../testing/pings';
import { prefixTopology } from '../../testing/prefix';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { runCliInSandbox } from '../../testing/cli-runner';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping CLI readiness tests: ${skip}`);

const v6 = Topology.parse({
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [{ name: 'a' }, { name: 'b' }],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'eth0', mtu: 1400, addresses: ['10.9.2.1/24', 'fd00:93::1/64'] },
        { namespace: 'b', name: 'eth0', mtu: 1400, addresses: ['10.9.2.2/24', 'fd00:93::2/64'] },
      ],
    },
  ],
});

test('apply exits once the network is usable: the first ping after it succeeds; a short wait exits 3 naming what is not', { skip }, async () => {
  await withSandbox('clirdy', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-cli-ready-'));
    try {
      const file = join(dir, 'topology.yaml');
      writeFileSync(file, stringify(prefixTopology(v6, sb)));
      const state = ['--state-dir', join(dir, 'state')];

      const bad = await runCliInSandbox(sb, 'apply', file, '--yes', '--wait-timeout', 'soon', ...state);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /--wait-timeout "soon": expected seconds/);

      const apply = await runCliInSandbox(sb, 'apply', file, '--yes', ...state);
      assert.equal(apply.code, 0, apply.stderr);
      assert.match(apply.stdout, /The network is usable \(4 links, ports, addresses and forwarders ready after \d+\.\d\d s\)/);
      const pings = [
        { from: 'a', target: 'fd00:93::2', expect: 'ok' as const },
        { from: 'b', target: 'fd00:93::1', expect: 'ok' as const },
        { from: 'a', target: '10.9.2.2', expect: 'ok' as const },
        { from: 'b', target: '10.9.2.1', expect: 'ok' as const },
      ];
      assert.deepEqual(await checkPings(sb, pings), []);
      assert.equal((await runCliInSandbox(sb, 'destroy', file, '--yes', ...state)).code, 0);

      const short = await runCliInSandbox(sb, 'apply', file, '--yes', '--wait-timeout', '0.1', ...state);
      assert.equal(short.code, 3, short.stdout + short.stderr);
      assert.match(short.stderr, /warning: not usable after waiting/);
      assert.match(short.stderr, new RegExp(`addr:${sb.ns('a')}/eth0/fd00:93::1/64: IPv6 address still tentative`));
      assert.equal((await runCliInSandbox(sb, 'destroy', file, '--yes', ...state)).code, 0);

      const noWait = await runCliInSandbox(sb, 'apply', file, '--yes', '--no-wait', ...state);
      assert.equal(noWait.code, 0, noWait.stderr);
      assert.doesNotMatch(noWait.stdout + noWait.stderr, /usable/);
      assert.equal((await runCliInSandbox(sb, 'destroy', file, '--yes', ...state)).code, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
