/**
 * Capture on the real kernel: a real helper in a sandbox runs tcpdump in
 * namespace `a` while `a` pings `b`; the packets it streams are rebuilt into a
 * pcap file, read back by our reader and by `tcpdump -r` (an independent
 * reader), and must be the ICMP echo requests and replies of that ping. A filter
 * that matches none of the traffic returns no packet; bad interfaces, filters
 * and namespaces are refused before anything runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HelperClient } from '../client';
import { decodeFrame } from '../../shared/capture/decode';
import { readPcap, writePcap } from '../../shared/capture/pcap';
import type { CaptureEvent, CapturedPacket } from '../../shared/protocol/methods';
import { startSandboxHelper } from '../../testing/discover-support';
import { run } from '../../testing/run';
import { kernelSkipReason, withSandbox } from '../../testing/sandbox';
import { within } from '../../testing/until';
import { PAIR, buildPair } from '../../testing/veth-pair';

const skip = kernelSkipReason();
if (skip) console.log(`# skipping capture kernel tests: ${skip}`);

interface Collected {
  packets: CapturedPacket[];
  linktype?: number;
  end: Promise<Extract<CaptureEvent, { type: 'end' }>>;
  /** capture.stop, keeping the listener: the `end` event follows */
  stop(): Promise<void>;
}

async function capture(h: HelperClient, params: Parameters<HelperClient['request']>[1] & object): Promise<Collected> {
  const packets: CapturedPacket[] = [];
  let linktype: number | undefined;
  let endNow!: (e: Extract<CaptureEvent, { type: 'end' }>) => void;
  const end = new Promise<Extract<CaptureEvent, { type: 'end' }>>((r) => (endNow = r));
  const sub = await h.subscribe(
    'capture.start',
    params as never,
    (e) => {
      const ev = e.data as CaptureEvent;
      if (ev.type === 'packets') {
        linktype = ev.linktype;
        packets.push(...ev.packets);
      } else endNow(ev);
    },
    'capture.stop',
  );
  return {
    packets,
    get linktype() {
      return linktype;
    },
    end,
    stop: async () => void (await h.request('capture.stop', { subscription: sub.id })),
  };
}

test('a capture during a ping returns its ICMP packets, as a pcap that tcpdump reads too', { skip, timeout: 60_000 }, async () => {
  await withSandbox('capture', async (sb) => {
    await buildPair(sb);
    const h = await startSandboxHelper(sb);
    const dir = mkdtempSync(join(tmpdir(), 'nst-capture-'));
    try {
      const cap = await capture(h, { namespace: sb.ns('a'), interface: 'a1', count: 4, durationMs: 20_000, filter: 'icmp' });
      // tcpdump is listening once capture.start answered (it compile-checked and started): ping now
      const ping = await sb.inNs('a', ['ping', '-c', '2', '-i', '0.2', '-W', '2', PAIR.b]);
      assert.equal(ping.code, 0, ping.stderr);
      const end = await within(cap.end, 15_000);
      assert.ok(end, 'the capture ended by itself');
      assert.equal(end.reason, 'count');
      assert.equal(end.packets, 4);
      assert.equal(cap.packets.length, 4);
      assert.deepEqual(
        cap.packets.map((p) => [p.src, p.dst, p.proto]),
        [
          [PAIR.a, PAIR.b, 'ICMP'],
          [PAIR.b, PAIR.a, 'ICMP'],
          [PAIR.a, PAIR.b, 'ICMP'],
          [PAIR.b, PAIR.a, 'ICMP'],
        ],
      );
      assert.match(cap.packets[0].summary, /^echo request id \d+ seq 1$/);
      assert.match(cap.packets[1].summary, /^echo reply id \d+ seq 1$/);
      assert.equal(cap.packets[0].len, 98, 'ping -c default: 84 bytes of IP in a 14-byte Ethernet frame');

      // the pcap the app and the CLI write, read back two ways
      const file = writePcap(
        cap.linktype!,
        cap.packets.map((p) => ({ time: p.time, origLen: p.len, data: new Uint8Array(Buffer.from(p.data, 'base64')) })),
      );
      const { header, records } = readPcap(file);
      assert.equal(header.linktype, 1, 'Ethernet');
      assert.deepEqual(
        records.map((r) => decodeFrame(header.linktype, r.data).summary),
        cap.packets.map((p) => p.summary),
      );
      const path = join(dir, 'ping.pcap');
      writeFileSync(path, file);
      const byTcpdump = await run(['tcpdump', '-n', '-r', path]);
      assert.equal(byTcpdump.code, 0, byTcpdump.stderr);
      const lines = byTcpdump.stdout.trim().split('\n');
      assert.equal(lines.length, 4);
      assert.match(lines[0], new RegExp(`IP ${PAIR.a.replace(/\./g, '\\.')} > ${PAIR.b.replace(/\./g, '\\.')}: ICMP echo request`));
      assert.match(lines[1], /ICMP echo reply/);
      assert.ok(
        records.every((r, i) => i === 0 || r.time >= records[i - 1].time),
        'timestamps in order',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await h.close();
    }
  });
});

test('a filter that matches none of the traffic returns nothing; stop and the duration end a capture', { skip, timeout: 60_000 }, async () => {
  await withSandbox('capnone', async (sb) => {
    await buildPair(sb);
    const h = await startSandboxHelper(sb);
    try {
      const none = await capture(h, { namespace: sb.ns('b'), interface: 'b1', durationMs: 1500, filter: 'udp port 9 or tcp port 9' });
      const all = await capture(h, { namespace: sb.ns('b'), interface: 'b1', durationMs: 20_000 });
      const ping = await sb.inNs('a', ['ping', '-c', '3', '-i', '0.2', '-W', '2', PAIR.b]);
      assert.equal(ping.code, 0, ping.stderr);
      const end = await within(none.end, 10_000);
      assert.ok(end);
      assert.equal(end.reason, 'duration');
      assert.equal(end.packets, 0);
      assert.equal(none.packets.length, 0);
      // the same traffic, unfiltered, was there to be seen: the empty result is the filter's
      assert.ok(all.packets.filter((p) => p.proto === 'ICMP').length >= 6, JSON.stringify(all.packets.map((p) => p.summary)));
      await all.stop();
      const allEnd = await within(all.end, 10_000);
      assert.equal(allEnd?.reason, 'stopped');
    } finally {
      await h.close();
    }
  });
});

test('capture refuses unknown namespaces, interfaces and filters before running anything', { skip, timeout: 60_000 }, async () => {
  await withSandbox('caprefuse', async (sb) => {
    await buildPair(sb);
    const h = await startSandboxHelper(sb);
    try {
      const refused = async (params: object, code: string, says: RegExp) => {
        await assert.rejects(h.request('capture.start', params as never), (e: Error & { code?: string }) => {
          assert.equal(e.code, code, e.message);
          assert.match(e.message, says);
          return true;
        });
      };
      await refused({ namespace: `${sb.prefix}nope`, interface: 'a1' }, 'capture-refused', /no such named namespace/);
      await refused({ namespace: sb.ns('a'), interface: 'b1' }, 'capture-refused', /b1.*(No such device|doesn't exist)/i);
      await refused({ namespace: sb.ns('a'), interface: 'a1', filter: 'icmp and (' }, 'capture-refused', /syntax error|parse filter/);
      await refused({ namespace: sb.ns('a'), interface: 'a1', filter: 'icmp; rm -rf /' }, 'bad-params', /BPF filter/);
      await refused({ namespace: sb.ns('a'), interface: 'a1', filter: '-w /etc/x' }, 'bad-params', /filter/);
      await refused({ namespace: '../etc', interface: 'a1' }, 'bad-params', /namespace/);
      await refused({ namespace: sb.ns('a'), interface: '-i' }, 'bad-params', /interface/);
      await refused({ namespace: sb.ns('a'), interface: 'a1', count: 1_000_000 }, 'bad-params', /count/);
      await refused({ namespace: sb.ns('a'), interface: 'a1', durationMs: 10 * 3600_000 }, 'bad-params', /durationMs/);
    } finally {
      await h.close();
    }
  });
});
