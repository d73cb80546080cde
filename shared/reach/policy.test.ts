/**
 * Policy routing in the analysis (scenario 07's shape): the document's rules and
 * named tables, fwmark rules with the mark the mangle table sets (or "unknown"
 * quoting the rule that decides it), and IPv6's retry with a source picked among
 * all addresses when a lookup without source finds nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topology } from '../model/schema';
import { loadScenario } from '../../testing/scenarios';
import { netOfDocument } from './from-document';
import { applyMark, evalMarkChain, parseIptLine } from './iptables';
import { selectSourceAnywhere } from './lookup';
import { trace } from './trace';
import { parseIp } from '../validate/ip';

const scenario07 = (): Topology => loadScenario('07-policy-routing').doc;

test('document rules: traffic from each LAN leaves by its own uplink, so only its own ISP answers', () => {
  const net = netOfDocument(scenario07());
  const r = trace(net, 'lan1', '198.51.100.1');
  assert.equal(r.predicted, 'ok', r.reason);
  assert.equal(r.toNamespace, 'isp1');
  const edge = r.hops.find((h) => h.ns === 'edge' && h.kind === 'forward' && h.direction === 'request')!;
  assert.equal(edge.iface, 'up1');
  const two = trace(net, 'lan2', '198.51.100.1');
  assert.equal(two.hops.find((h) => h.ns === 'edge' && h.kind === 'forward' && h.direction === 'request')!.iface, 'up2');
  // lan1's traffic to isp2's uplink address goes to isp1 by rule 100, which has no route there
  const cross = trace(net, 'lan1', '10.71.102.1');
  assert.equal(cross.predicted, 'fail');
  assert.equal(cross.failure!.ns, 'isp1');
  // the blackhole rule
  const black = trace(net, 'lan1', '10.71.66.1');
  assert.equal(black.failure?.code, 'rule-action');
  assert.match(black.reason, /80: from all to 10\.71\.66\.0\/24 blackhole/);
  // the edge's own replies to a LAN follow the rule by source: out of the uplink, where isp1 does not forward
  const own = trace(net, 'lan1', '10.71.1.1');
  assert.equal(own.predicted, 'fail');
  assert.equal(own.failure!.direction, 'reply');
  assert.equal(own.failure!.code, 'forwarding-off');
});

test("IPv6: the edge's own ping with no route in main is retried from a source a rule sends out of an uplink", () => {
  const net = netOfDocument(scenario07());
  const edge = net.namespaces.get('edge')!;
  // RFC 6724 with no device: global scope, then the longest prefix; a tie keeps the first link
  assert.equal(selectSourceAnywhere(edge, parseIp('2001:db8:100::1')!)!.toString(), '2001:db8:71:1::1');
  assert.equal(selectSourceAnywhere(edge, parseIp('2001:db8:71:102::1')!)!.toString(), '2001:db8:71:102::2');
  const r = trace(net, 'edge', '2001:db8:100::1');
  assert.equal(r.predicted, 'ok', r.reason);
  assert.match(r.hops[0].text, /kernel picked 2001:db8:71:1::1 and looked up again/);
  // IPv4 has no such retry: the same question fails in main
  const v4 = trace(net, 'edge', '198.51.100.1');
  assert.equal(v4.failure?.code, 'no-route');
});

test('fwmark rules: the mark the mangle table sets picks the table; a mangle rule it cannot read gives "unknown" quoting it', () => {
  const net = netOfDocument(scenario07());
  const edge = net.namespaces.get('edge')!;
  // a document sets no marks: rule 90 (fwmark 0x2/0xff) does not apply, lan1 leaves by uplink 1
  assert.equal(trace(net, 'lan1', '198.51.100.1').toNamespace, 'isp1');
  edge.mangle[4] = [parseIptLine('mangle', '-A PREROUTING -i e-l1 -j MARK --set-xmark 0x2/0xffffffff')!];
  const marked = trace(net, 'lan1', '198.51.100.1');
  assert.equal(marked.hops.find((h) => h.ns === 'edge' && h.kind === 'forward')!.iface, 'up2', 'marked: rule 90 sends it to uplink 2');
  assert.equal(marked.predicted, 'fail', 'isp2 knows no way back to lan1');
  assert.equal(marked.failure!.ns, 'isp2');
  const random = '-A PREROUTING -i e-l1 -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x2/0xffffffff';
  edge.mangle[4] = [parseIptLine('mangle', random)!];
  const guess = trace(net, 'lan1', '198.51.100.1');
  assert.equal(guess.predicted, 'unknown');
  assert.equal(guess.failure!.code, 'rule-unknown');
  assert.ok(guess.reason.includes(random), guess.reason);
  edge.mangle[4] = undefined; // not read
  const unread = trace(net, 'lan1', '198.51.100.1');
  assert.equal(unread.predicted, 'unknown');
  assert.match(unread.reason, /fwmark 0x2\/0xff.*mangle table \(which may set the mark\) was not read/);
  // the other LANs' traffic that no mangle rule can touch still gets an answer: IPv6 has no fwmark rule
  assert.equal(trace(net, 'lan1', '2001:db8:100::1').predicted, 'ok');
});

test('MARK targets as iptables-save writes them, and the chain walk', () => {
  const r = (l: string) => parseIptLine('mangle', l)!;
  assert.equal(applyMark(0xf0, r('-A OUTPUT -j MARK --set-xmark 0x2/0xff').setMark!), 0x2);
  assert.equal(applyMark(0xf00, r('-A OUTPUT -j MARK --set-xmark 0x2/0xff').setMark!), 0xf02);
  assert.equal(applyMark(0x1, r('-A OUTPUT -j MARK --or-mark 0x4').setMark!), 0x5);
  assert.equal(applyMark(0x7, r('-A OUTPUT -j MARK --and-mark 0x3').setMark!), 0x3);
  const rules = [
    r('-A PREROUTING -j mk'),
    r('-A mk -s 10.0.0.0/8 -j MARK --set-xmark 0x1/0xffffffff'),
    r('-A mk -m mark --mark 0x1 -j RETURN'),
    r('-A mk -j MARK --set-xmark 0x9/0xffffffff'),
  ];
  const p = (src: string) => ({
    family: 4 as const,
    src: parseIp(src)!,
    dst: parseIp('10.9.9.9')!,
    ctstate: 'NEW' as const,
    icmpType: 8,
    isLocal: () => false,
  });
  assert.deepEqual(evalMarkChain(rules, 'PREROUTING', p('10.1.1.1')), { mark: 1 });
  assert.deepEqual(evalMarkChain(rules, 'PREROUTING', p('192.0.2.1')), { mark: 9 });
});
