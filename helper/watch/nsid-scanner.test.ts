import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NsidScanner, type NsidRef } from './nsid-scanner';

const OUTPUT = `[nsid 1]2: v1@NONE: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default 
    link/ether 8a:3c:28:bc:f3:1f brd ff:ff:ff:ff:ff:ff
[nsid 0]2: v0@if2: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN group default 
    link/ether b6:15:64:f4:fc:41 brd ff:ff:ff:ff:ff:ff link-netns [nsid 7]
[nsid current]3: hv0@v1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500
Deleted [nsid 9]something without a prefix of its own
[nsid 12]local 10.9.0.1 dev v1 table local proto kernel scope host src 10.9.0.1 
`;

test('the scanner reports each message prefix once, whatever the chunking, and nothing from inside lines', () => {
  const expected: NsidRef[] = [1, 0, 'current', 12];
  for (const size of [1, 2, 3, 5, 7, 17, 64, OUTPUT.length]) {
    const got: NsidRef[] = [];
    const s = new NsidScanner((n) => got.push(n));
    for (let i = 0; i < OUTPUT.length; i += size) s.push(OUTPUT.slice(i, i + size));
    assert.deepEqual(got, expected, `chunks of ${size}`);
  }
});

test('a prefix is reported before its line ends (ip prints some newlines late)', () => {
  const got: NsidRef[] = [];
  const s = new NsidScanner((n) => got.push(n));
  s.push('[nsid 3]2: v0@if2: <BROADCAST');
  assert.deepEqual(got, [3]);
});
