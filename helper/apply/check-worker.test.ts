/**
 * The helper checks a request's document on a thread (issue 15): while a large
 * document is being checked, the helper keeps answering other requests. Measured
 * on the real helper process: hellos sent every 20 ms during a plan of a 3.5 MB
 * document (invalid at its very end, so nothing is discovered or changed) keep
 * being answered; checked on the event loop, they stalled for the whole check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { loadTopology } from '../../shared/yaml/load';
import { manyInterfacesDocument } from '../../testing/hostile-documents';
import { stdioHelperArgv } from '../launch';
// the helper gets --trust-env: it must honour the state dir below
import '../../testing/trust-env';
import { LineSplitter } from '../transport/ndjson';

test('hellos are answered while the helper checks a large plan document', { timeout: 120_000 }, async () => {
  const loaded = loadTopology(manyInterfacesDocument(10_000));
  assert.ok(loaded.ok);
  const document = loaded.yamlDoc.toJS() as { veths: unknown[] };
  document.veths.push({
    ends: [
      { namespace: 'no-such-ns', name: 'q0' },
      { namespace: 'host', name: 'q1' },
    ],
  });

  const argv = stdioHelperArgv();
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NETNS_STUDIO_STATE_DIR: '/nonexistent-netns-studio-test' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const answered = new Map<number, { at: number; msg: Record<string, unknown> }>();
  let onAnswer = () => {};
  const splitter = new LineSplitter({
    onLine: (l) => {
      const m = JSON.parse(l);
      if (typeof m.id === 'number') answered.set(m.id, { at: performance.now(), msg: m });
      onAnswer();
    },
    onOversize: () => assert.fail('oversized line from the helper'),
  });
  child.stdout.on('data', (c: Buffer) => splitter.push(c));
  const until = (cond: () => boolean, ms: number) =>
    new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; stderr: ${stderr}`)), ms);
      onAnswer = () => {
        if (cond()) (clearTimeout(t), resolve());
      };
      onAnswer();
    });
  try {
    child.stdin.write(JSON.stringify({ id: 0, method: 'hello', params: {} }) + '\n');
    await until(() => answered.has(0), 30_000);

    const PLAN = 1;
    const sentAt = performance.now();
    child.stdin.write(JSON.stringify({ id: PLAN, method: 'plan', params: { document } }) + '\n');
    let id = 100;
    const pinger = setInterval(() => child.stdin.write(JSON.stringify({ id: id++, method: 'hello', params: {} }) + '\n'), 20);
    await until(() => answered.has(PLAN), 60_000).finally(() => clearInterval(pinger));

    const plan = answered.get(PLAN)!;
    assert.equal((plan.msg.error as { code?: string })?.code, 'invalid-document', JSON.stringify(plan.msg).slice(0, 500));
    assert.match(String((plan.msg.error as { message: string }).message), /no-such-ns/);
    const duration = plan.at - sentAt;
    // hello answers that came while the plan was pending, and the longest silence between them
    const times = [
      sentAt,
      ...[...answered]
        .filter(([k, v]) => k >= 100 && v.at < plan.at)
        .map(([, v]) => v.at)
        .sort((a, b) => a - b),
      plan.at,
    ];
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    const longest = Math.max(...gaps);
    assert.ok(times.length - 2 >= 5, `only ${times.length - 2} hellos answered during a ${duration.toFixed(0)} ms plan`);
    // the line itself is parsed (and handed to the thread) on the event loop: a fraction of the check, not all of it
    assert.ok(longest < duration / 2, `the helper was silent for ${longest.toFixed(0)} ms of a ${duration.toFixed(0)} ms plan`);
  } finally {
    child.stdin.end();
    child.kill();
  }
});
