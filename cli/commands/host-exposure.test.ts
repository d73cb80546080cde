/**
 * Host exposure is a permission (issue 15): a document whose forwarder listens on
 * every address of the host and relays to the host's ssh (127.0.0.1:22) validates,
 * but `apply --yes` refuses it, names the step and `--allow-host`, and leaves
 * nothing listening. With `--allow-host` the same apply runs (and destroy removes it).
 * In a sandbox: its namespace plays the host; the port is a high, random one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../../testing/run';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { cliPath } from '../../testing/cli-runner';
import { TRUSTED_CLI } from '../../testing/trust-env';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping host-exposure CLI tests: ${skip}`);

/** the CLI in the sandbox, with its own state and forwarder directories */
const cli = (sb: Sandbox, dir: string, ...args: string[]): Promise<RunResult> =>
  run(
    [
      'nsenter',
      `--net=/run/netns/${sb.hostNs}`,
      '/usr/bin/env',
      `NETNS_STUDIO_FORWARDERS_DIR=${join(dir, 'fw')}`,
      process.execPath,
      cliPath,
      TRUSTED_CLI,
      ...args,
      '--state-dir',
      join(dir, 'state'),
    ],
    { timeoutMs: 60_000 },
  );

const listening = async (sb: Sandbox, port: number) => (await sb.inHost(['ss', '-Hltn', `sport = :${port}`])).stdout.trim();

test('a forwarder on 0.0.0.0 in the host relaying to 127.0.0.1:22 is refused by apply --yes; nothing listens', { skip }, async () => {
  await withSandbox('hostexp', async (sb) => {
    const dir = mkdtempSync(join(tmpdir(), 'nss-hostexp-'));
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    try {
      const file = join(dir, 'topology.yaml');
      writeFileSync(
        file,
        [
          'apiVersion: netns-studio/v1',
          'kind: Topology',
          'forwarders:',
          `  - { name: ${sb.prefix}ssh, protocol: tcp, listen: { namespace: host, address: 0.0.0.0, port: ${port} }, target: { namespace: host, address: 127.0.0.1, port: 22 } }`,
          '',
        ].join('\n'),
      );
      const valid = await run([process.execPath, cliPath, 'validate', file]);
      assert.equal(valid.code, 0, valid.stdout + valid.stderr);

      const plan = await cli(sb, dir, 'plan', file);
      assert.equal(plan.code, 2, plan.stderr);
      assert.match(
        plan.stdout,
        new RegExp(`\\[touches the host: listens on the host at 0\\.0\\.0\\.0:${port} \\(every address: reachable from the network\\)\\]`),
      );
      assert.match(plan.stdout, /1 touch the host \(apply needs --allow-host\)/);

      const refused = await cli(sb, dir, 'apply', file, '--yes');
      assert.equal(refused.code, 1, refused.stdout + refused.stderr);
      assert.match(refused.stderr, /touch the host/);
      assert.match(refused.stderr, new RegExp(`forwarder:${sb.prefix}ssh: listens on the host at 0\\.0\\.0\\.0:${port}`));
      assert.match(refused.stderr, /nothing was changed; to let apply make these host changes, add: --allow-host/);
      assert.equal(await listening(sb, port), '', 'nothing may listen after a refused apply');
      // the forwarder runtime makes its directory when it first starts an agent
      const fw = join(dir, 'fw');
      assert.deepEqual(existsSync(fw) ? readdirSync(fw) : [], [], 'no forwarder agent was started');

      const allowed = await cli(sb, dir, 'apply', file, '--yes', '--allow-host');
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
      assert.match(await listening(sb, port), new RegExp(`:${port}\\b`));

      const destroy = await cli(sb, dir, 'destroy', file, '--yes');
      assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
      assert.equal(await listening(sb, port), '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
