/**
 * iptables rules as the analysis reads them: a Docker host's filter table (user
 * chains, RETURN, negations, conntrack state), the bridged LAN it breaks, and
 * rules it cannot read, which decide only when nothing readable rules them out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIp } from '../validate/ip';
import { evalFilterChain, evalNatChain, parseFilterLines, parseIptLine, type IptPacket } from './iptables';

const DOCKER = `:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN`.split('\n');

const pkt = (p: Partial<IptPacket>): IptPacket => ({
  family: 4,
  src: parseIp('172.17.0.2')!,
  dst: parseIp('172.17.0.3')!,
  ctstate: 'NEW',
  icmpType: 8,
  isLocal: () => false,
  ...p,
});

test('a Docker host: containers on docker0 pass FORWARD, a bridged LAN on br0 meets the DROP policy', () => {
  const chains = parseFilterLines(DOCKER);
  assert.deepEqual(
    evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'docker0', outIface: 'docker0' })).rule?.text,
    '-A FORWARD -i docker0 -o docker0 -j ACCEPT',
  );
  const lan = evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'br0', outIface: 'br0' }));
  assert.equal(lan.verdict, 'DROP');
  assert.equal(lan.rule, undefined, 'the policy decides');
  const out = evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'docker0', outIface: 'eth0' }));
  assert.equal(out.rule?.text, '-A FORWARD -i docker0 ! -o docker0 -j ACCEPT');
  const back = evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'eth0', outIface: 'docker0', ctstate: 'ESTABLISHED', icmpType: 0 }));
  assert.equal(back.rule?.text, '-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  const isolated = evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'docker0', outIface: 'docker1' }));
  assert.equal(isolated.verdict, 'ACCEPT', 'stage 2 drops only towards docker0 here');
});

test('an unreadable match is unknown only when the readable parts do not rule the rule out', () => {
  const chains = parseFilterLines([
    ':FORWARD DROP [0:0]',
    '-A FORWARD -i docker0 -m physdev --physdev-is-bridged -j ACCEPT',
    '-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT',
  ]);
  const r = evalFilterChain(chains, 'FORWARD', pkt({ inIface: 'br0', outIface: 'br0' }));
  assert.equal(r.verdict, 'unknown');
  assert.equal(r.rule?.text, '-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT');
  assert.equal(parseIptLine('filter', '-A FORWARD -m physdev --physdev-is-bridged -j ACCEPT')?.unknown, '-m physdev');
});

test('LOG and counters go on; REJECT drops; addresses, prefixes, protocols and ICMP types match', () => {
  const chains = parseFilterLines([
    ':INPUT ACCEPT [0:0]',
    '-A INPUT -j LOG --log-prefix "seen: "',
    '-A INPUT -p tcp --dport 22 -j DROP',
    '-A INPUT -s 10.0.0.0/255.255.255.0 -p icmp -m icmp --icmp-type 8 -j REJECT --reject-with icmp-port-unreachable',
  ]);
  assert.equal(evalFilterChain(chains, 'INPUT', pkt({ src: parseIp('10.0.0.7')! })).verdict, 'DROP');
  assert.equal(evalFilterChain(chains, 'INPUT', pkt({ src: parseIp('10.0.1.7')! })).verdict, 'ACCEPT');
  assert.equal(evalFilterChain(chains, 'INPUT', pkt({ src: parseIp('10.0.0.7')!, icmpType: 0 })).verdict, 'ACCEPT');
});

test('NAT: Docker-style user chains, masquerade by source, DNAT address from --to-destination', () => {
  const nat = [
    '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
    '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
    '-A DOCKER -i docker0 -j RETURN',
    '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80',
    '-A DOCKER -d 10.9.9.9/32 -j DNAT --to-destination 172.17.0.3',
  ].map((l) => parseIptLine('nat', l)!);
  const m = evalNatChain(nat, 'POSTROUTING', pkt({ outIface: 'eth0' }));
  assert.equal(m.action, 'MASQUERADE');
  assert.equal(evalNatChain(nat, 'POSTROUTING', pkt({ outIface: 'docker0' })).action, undefined);
  const d = evalNatChain(nat, 'PREROUTING', pkt({ inIface: 'eth0', dst: parseIp('10.9.9.9')!, isLocal: () => true }));
  assert.equal(d.action, 'DNAT');
  assert.equal(d.rule?.toAddress?.toString(), '172.17.0.3');
  assert.equal(
    evalNatChain(nat, 'PREROUTING', pkt({ inIface: 'eth0', dst: parseIp('10.9.9.9')!, isLocal: () => false })).action,
    undefined,
    'addrtype LOCAL is evaluated',
  );
});
