/**
 * `netns-studio impair` on the real kernel, in a sandbox: where the kernel has
 * sch_netem, a delay shows in the qdisc and in the ping's round trip, and
 * --clear removes it; where it has not (this machine), the command says so
 * plainly, exits 3 and leaves the qdisc as it was.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { impairArgv } from '../../helper/netem/impair';
import { runCliInSandbox } from '../../testing/cli-runner';
import { run } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { PAIR, buildPair } from '../../testing/veth-pair';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping impair kernel tests: ${skip}`);

async function kernelHasNetem(): Promise<boolean> {
  return (await run(['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])).code === 0;
}

test('impair: netem delay where the kernel has it; a plain refusal where it lacks sch_netem', { skip, timeout: 60_000 }, async () => {
  await withSandbox('impair', async (sb) => {
    await buildPair(sb);
    const qdisc = async () => (await sb.inNs('a', ['tc', 'qdisc', 'show', 'dev', 'a1'])).stdout;
    const before = await qdisc();
    const r = await runCliInSandbox(sb, 'impair', sb.ns('a'), 'a1', '--delay', '50', '--loss', '0');
    if (!(await kernelHasNetem())) {
      console.log('# this kernel lacks sch_netem: checking the refusal');
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /this kernel has no netem \(sch_netem\): link impairment \(delay, loss\) is unavailable here/);
      assert.equal(await qdisc(), before, 'nothing changed');
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    assert.match(await qdisc(), /netem .*delay 50ms/);
    const ping = await sb.inNs('a', ['ping', '-c', '2', '-i', '0.2', PAIR.b]);
    const avg = Number(/= [\d.]+\/([\d.]+)\//.exec(ping.stdout)?.[1]);
    assert.ok(avg >= 45, `round trip ${avg} ms with 50 ms of delay one way`);
    const c = await runCliInSandbox(sb, 'impair', sb.ns('a'), 'a1', '--clear');
    assert.equal(c.code, 0, c.stderr);
    assert.doesNotMatch(await qdisc(), /netem/);
  });
});

test('impair argv: numbers and names only, nothing to set refused', () => {
  const argv = impairArgv({ namespace: 'ns1', interface: 'veth0', delayMs: 12.5, lossPercent: 1 })!;
  assert.deepEqual(argv.slice(-9), ['replace', 'dev', 'veth0', 'root', 'netem', 'delay', '12.5ms', 'loss', '1%']);
  // through ns-owner.pl --exec, which enters a namespace an unprivileged user owns as that owner (issue 15)
  assert.ok(argv[0].startsWith('/') && argv.slice(2, 5).join(' ') === `--exec ${argv[3]} /run/netns/ns1` && argv[3]!.endsWith('/nsenter'), argv.join(' '));
  assert.equal(impairArgv({ namespace: 'ns1', interface: 'veth0' }), undefined);
  assert.deepEqual(impairArgv({ namespace: 'host', interface: 'veth0', clear: true })!.slice(1), ['qdisc', 'del', 'dev', 'veth0', 'root']);
});
