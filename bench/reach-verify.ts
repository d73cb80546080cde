/**
 * bench:reach-verify — `netns-studio reach --live --verify` on about 100 pairs
 * (a star of 10 namespaces on a bridge, plus its host: 110 pairs) in a sandbox,
 * whole CLI process start to exit, beside baselines measured in the same run:
 * `reach --live` alone (prediction from the live host, no pings), and the same
 * pairs pinged one after another by a shell loop (`ip netns exec NS ping -c1`),
 * the way a person checks a matrix by hand. Needs root.
 */
import { cliPath } from '../testing/cli-runner';
import { run } from '../testing/run';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { waitSettled } from '../testing/settle';
import { starShellScript, starName } from '../testing/star-topology';
import type { MatrixRow } from '../shared/reach/format';

const N = Number(process.env.REACH_VERIFY_NAMESPACES ?? 10);
const skip = kernelSkipReason();
if (skip) {
  console.log(`bench:reach-verify skipped: ${skip}`);
  process.exit(0);
}

await withSandbox('bverify', async (sb) => {
  const star = starShellScript(sb.prefix, N);
  const built = await sb.bash(star.up);
  if (built.code !== 0) throw new Error(`star build failed: ${built.stderr}`);
  await waitSettled(sb);
  const cli = (...args: string[]) => run(['nsenter', `--net=/run/netns/${sb.hostNs}`, process.execPath, cliPath, ...args], { timeoutMs: 600_000 });
  const scope = ['--live', '--only-prefix', sb.prefix, '--strip-prefix', '--format', 'json'];

  let t = performance.now();
  const predicted = await cli('reach', ...scope);
  const predictMs = performance.now() - t;
  if (predicted.code !== 0) throw new Error(`reach --live failed: ${predicted.stderr}`);
  const rows = JSON.parse(predicted.stdout) as MatrixRow[];

  t = performance.now();
  const verified = await cli('reach', ...scope, '--verify');
  const verifyMs = performance.now() - t;
  if (verified.code !== 0 && verified.code !== 2) throw new Error(`reach --verify failed: ${verified.stderr}`);
  const vrows = JSON.parse(verified.stdout) as MatrixRow[];
  const disagree = vrows.filter((r) => r.actual !== r.predicted).length;

  const loop = rows.map((r) => `${r.from === 'host' ? '' : `ip netns exec ${sb.prefix}${r.from} `}ping -n -q -c1 -W1 ${r.to} >/dev/null || true`).join('\n');
  t = performance.now();
  await sb.bash(loop);
  const loopMs = performance.now() - t;

  console.log(`star of ${N} namespaces (${starName('', 0)}…) on a bridge + host: ${rows.length} pairs, ${disagree} predictions disagree with ping`);
  console.log(`  shell loop, one ping after another (baseline) ${loopMs.toFixed(0).padStart(6)} ms`);
  console.log(`  netns-studio reach --live (prediction only)   ${predictMs.toFixed(0).padStart(6)} ms`);
  console.log(`  netns-studio reach --live --verify            ${verifyMs.toFixed(0).padStart(6)} ms   ${(verifyMs / loopMs).toFixed(2)}× the shell loop`);
});
