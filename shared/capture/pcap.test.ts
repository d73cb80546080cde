import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame } from './decode';
import { PcapStreamReader, readPcap, writePcap } from './pcap';

const hex = (s: string) =>
  new Uint8Array(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
const ETH = (type: string) => `020000000002 020000000001 ${type}`;
// IPv4 ICMP echo request 10.0.0.1 → 10.0.0.2, id 7 seq 1
const ICMP = hex(`${ETH('0800')} 4500001c 00004000 4001 0000 0a000001 0a000002 0800 0000 0007 0001`);
// IPv6 TCP SYN fd00::1 → fd00::2:0:0:5, 40000 → 80
const TCP6 = hex(
  `${ETH('86dd')} 60000000 0014 06 40 fd000000000000000000000000000001 fd000000000000000002000000000005 9c40 0050 00000001 00000000 5002 ffff 0000 0000`,
);
const ARP = hex(`${ETH('0806')} 0001 0800 06 04 0001 020000000001 0a000001 000000000000 0a000002`);

test('decode: ICMP echo, IPv6 TCP flags with :: compression, ARP, VLAN tags, short frames', () => {
  assert.deepEqual(decodeFrame(1, ICMP), { src: '10.0.0.1', dst: '10.0.0.2', proto: 'ICMP', summary: 'echo request id 7 seq 1' });
  assert.deepEqual(decodeFrame(1, TCP6), { src: 'fd00::1', dst: 'fd00::2:0:0:5', proto: 'TCP', summary: '40000 → 80 [SYN] seq 1' });
  assert.deepEqual(decodeFrame(1, ARP), { src: '10.0.0.1', dst: '10.0.0.2', proto: 'ARP', summary: 'who has 10.0.0.2? tell 10.0.0.1' });
  const tagged = new Uint8Array([...ICMP.subarray(0, 12), 0x81, 0x00, 0x00, 0x0a, ...ICMP.subarray(12)]);
  assert.equal(decodeFrame(1, tagged).summary, 'echo request id 7 seq 1 (vlan 10)');
  assert.equal(decodeFrame(1, ICMP.subarray(0, 20)).summary, 'truncated');
  assert.equal(decodeFrame(101, ICMP.subarray(14)).proto, 'ICMP');
  assert.equal(decodeFrame(1, new Uint8Array(3)).summary, 'truncated');
});

test('pcap: what writePcap writes reads back whole, fed in chunks split anywhere', () => {
  const recs = [
    { time: 1_700_000_000.25, origLen: ICMP.length, data: ICMP },
    { time: 1_700_000_001.999999, origLen: 1500, data: TCP6 },
    { time: 1_700_000_002, origLen: ARP.length, data: ARP },
  ];
  const file = writePcap(1, recs);
  const whole = readPcap(file);
  assert.equal(whole.header.linktype, 1);
  assert.deepEqual(
    whole.records.map((r) => [r.origLen, r.data.length]),
    recs.map((r) => [r.origLen, r.data.length]),
  );
  assert.ok(Math.abs(whole.records[1].time - recs[1].time) < 1e-6);
  for (const step of [1, 3, 17, 64]) {
    const r = new PcapStreamReader();
    const got = [];
    for (let i = 0; i < file.length; i += step) got.push(...r.push(file.subarray(i, i + step)));
    assert.deepEqual(
      got.map((x) => Array.from(x.data)),
      recs.map((x) => Array.from(x.data)),
      `chunks of ${step}`,
    );
    assert.equal(r.pending, 0);
  }
  assert.throws(() => new PcapStreamReader().push(new Uint8Array(24)), /not a pcap stream/);
  assert.throws(() => readPcap(file.subarray(0, file.length - 1)), /ends inside a record/);
});
