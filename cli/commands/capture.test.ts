/**
 * `netns-studio capture` on the real kernel: run inside a sandbox while `a`
 * pings `b`, it prints the ICMP packets and writes them to a pcap file, which
 * our reader and `tcpdump -r` both read back as those packets; bad arguments
 * fail before any helper starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../shared/capture/decode';
import { readPcap } from '../../shared/capture/pcap';
import { cliPath, runCli } from '../../testing/cli-runner';
import { run } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { waitUntil } from '../../testing/until';
import { PAIR, buildPair } from '../../testing/veth-pair';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping capture CLI kernel tests: ${skip}`);

test("capture NS IFACE --count 4 --filter icmp -w FILE: the ping's packets, printed and in a pcap file", { skip, timeout: 90_000 }, async () => {
  await withSandbox('capcli', async (sb) => {
    await buildPair(sb);
    const dir = mkdtempSync(join(tmpdir(), 'nst-capcli-'));
    const file = join(dir, 'out.pcap');
    try {
      const child = spawn('nsenter', [
        `--net=/run/netns/${sb.hostNs}`,
        process.execPath,
        cliPath,
        'capture',
        sb.ns('b'),
        'b1',
        '--count',
        '4',
        '--duration',
        '30',
        '--filter',
        'icmp',
        '-w',
        file,
      ]);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      await waitUntil('the capture to listen', () => /listening on/.test(stderr) || child.exitCode !== null, 30_000);
      const ping = await sb.inNs('a', ['ping', '-c', '2', '-i', '0.2', '-W', '2', PAIR.b]);
      assert.equal(ping.code, 0, ping.stderr);
      assert.equal(await exited, 0, stderr);
      const lines = stdout.trim().split('\n');
      assert.equal(lines.length, 4, stdout);
      assert.match(lines[0], new RegExp(`ICMP  ${PAIR.a} > ${PAIR.b}  len 98  echo request id \\d+ seq 1`));
      assert.match(lines[3], new RegExp(`ICMP  ${PAIR.b} > ${PAIR.a}  len 98  echo reply id \\d+ seq 2`));
      assert.match(stderr, /4 packets, \d+ bytes; stopped by count; written to /);
      const { header, records } = readPcap(new Uint8Array(readFileSync(file)));
      assert.equal(records.length, 4);
      assert.deepEqual(
        records.map((r) => decodeFrame(header.linktype, r.data).summary.replace(/ id \d+/, '')),
        ['echo request seq 1', 'echo reply seq 1', 'echo request seq 2', 'echo reply seq 2'],
      );
      const byTcpdump = await run(['tcpdump', '-n', '-r', file]);
      assert.equal(byTcpdump.stdout.trim().split('\n').length, 4, byTcpdump.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('capture refuses bad arguments before starting anything', () => {
  const bad = (args: string[], says: RegExp) => {
    const r = runCli(['capture', ...args]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, says);
  };
  bad(['ns1', 'eth0', '--filter', 'icmp; reboot'], /BPF filter/);
  bad(['../x', 'eth0'], /namespace/);
  bad(['ns1', 'eth0', '--count', '0'], /--count: a number from 1/);
  bad(['ns1', 'eth0', '--duration', 'forever'], /--duration/);
});
