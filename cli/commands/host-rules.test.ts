/**
 * A policy rule of the `host` namespace is the machine's own routing: like a host
 * route, it is a host change apply makes only with explicit permission. `plan`
 * marks the step, `apply --yes` refuses it naming the step and `--allow-host`, and
 * the host's rules stay as they were; with `--allow-host` the rule is made, and
 * destroy takes it away again. In a sandbox: its namespace plays the host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from '../../testing/run';
import { kernelSkipReason, withSandbox, type Sandbox } from '../../testing/sandbox';
import { cliPath } from '../../testing/cli-runner';
import { TRUSTED_CLI } from '../../testing/trust-env';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping host policy rule CLI tests: ${skip}`);

const cli = (sb: Sandbox, dir: string, ...args: string[]): Promise<RunResult> =>
  run(['nsenter', `--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, TRUSTED_CLI, ...args, '--state-dir', join(dir, 'state')], { timeoutMs: 60_000 });
const hostRules = async (sb: Sandbox) => {
  const v4 = await sb.inHost(['ip', 'rule', 'show']);
  const v6 = await sb.inHost(['ip', '-6', 'rule', 'show']);
  return `${v4.stdout}-6\n${v6.stdout}`;
};

test(
  'host policy rules (IPv4 and IPv6) need --allow-host: refused by apply --yes with the host unchanged, made with it, removed by destroy',
  { skip },
  async () => {
    await withSandbox('hostrule', async (sb) => {
      const dir = mkdtempSync(join(tmpdir(), 'nss-hostrule-'));
      try {
        const file = join(dir, 'topology.yaml');
        writeFileSync(
          file,
          [
            'apiVersion: netns-studio/v1',
            'kind: Topology',
            `name: ${sb.prefix}rules`,
            'namespaces:',
            '  - name: host',
            '    rules:',
            '      - { priority: 1234, to: 10.73.66.0/24, action: blackhole }',
            '      - { priority: 1235, to: "2001:db8:73:66::/64", action: unreachable }',
            '',
          ].join('\n'),
        );
        const before = await hostRules(sb);

        const plan = await cli(sb, dir, 'plan', file);
        assert.equal(plan.code, 2, plan.stdout + plan.stderr);
        assert.equal(plan.stdout.match(/\[touches the host: changes the host's policy rules\]/g)?.length, 2, plan.stdout);
        assert.match(plan.stdout, /2 touch the host \(apply needs --allow-host\)/);

        const refused = await cli(sb, dir, 'apply', file, '--yes');
        assert.equal(refused.code, 1, refused.stdout + refused.stderr);
        assert.match(refused.stderr, /changes the host's policy rules/);
        assert.match(refused.stderr, /nothing was changed; to let apply make these host changes, add: --allow-host/);
        assert.equal(await hostRules(sb), before, "a refused apply leaves the host's rules alone");

        const allowed = await cli(sb, dir, 'apply', file, '--yes', '--allow-host');
        assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
        const after = await hostRules(sb);
        assert.match(after, /^1234:\s+from all to 10\.73\.66\.0\/24 blackhole$/m);
        assert.match(after, /^1235:\s+from all to 2001:db8:73:66::\/64 unreachable$/m);
        const blackholed = await sb.inHost(['ip', 'route', 'get', '10.73.66.1']);
        assert.notEqual(blackholed.code, 0, 'the kernel now refuses that destination');

        const destroy = await cli(sb, dir, 'destroy', file, '--yes');
        assert.equal(destroy.code, 0, destroy.stdout + destroy.stderr);
        assert.equal(await hostRules(sb), before, 'destroy takes our rules away again');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
