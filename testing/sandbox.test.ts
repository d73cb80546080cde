import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { kernelSkipReason, withSandbox } from './sandbox';
import { hostDump } from './host-dump';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping sandbox tests: ${skip}`);

test('a sandbox isolates its host, dumps canonically, and cleans up even on failure', { skip }, async () => {
  let prefix = '';
  await assert.rejects(
    withSandbox('sbx', async (sb) => {
      prefix = sb.prefix;
      const r = await sb.bash(
        'ip netns add ${P}ns1; ip link add dev v0 type veth peer name v1 netns ${P}ns1; ip addr add 10.9.0.1/24 dev v0; ip link set dev v0 up',
      );
      assert.equal(r.code, 0, r.stderr);
      const dump = await hostDump(sb);
      assert.deepEqual(Object.keys(dump), ['host', 'ns1']);
      assert.equal(dump.host.links.v0.peer, 'ns1/v1');
      assert.equal(dump.ns1.links.v1.peer, 'host/v0');
      assert.deepEqual(dump.host.addresses, ['lo 127.0.0.1/8', 'lo ::1/128', 'v0 10.9.0.1/24']);
      assert.equal(dump.host.links.v0.up, true);
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.ok(prefix);
  assert.equal(existsSync(`/run/netns/${prefix}host`), false);
  assert.equal(existsSync(`/run/netns/${prefix}ns1`), false);
});
