import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natView } from './nat-view';

// what Docker 20.10 writes (iptables-save -t nat) for docker0, a user network and `-p 18080:80`
const DOCKER = [
  '-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER',
  '-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER',
  '-A POSTROUTING -s 172.18.0.0/16 ! -o br-1f2e3d4c5b6a -j MASQUERADE',
  '-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE',
  '-A POSTROUTING -s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
  '-A DOCKER -i br-1f2e3d4c5b6a -j RETURN',
  '-A DOCKER -i docker0 -j RETURN',
  '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 18080 -j DNAT --to-destination 172.17.0.2:80',
];

test("Docker's nat chains read as the model's rules, with what the model cannot say beside", () => {
  const v = natView(DOCKER);
  assert.equal(v.length, DOCKER.length, 'every line is there');
  assert.deepEqual(
    v.filter((x) => !x.rule).map((x) => x.line),
    DOCKER.filter((l) => /-j (DOCKER|RETURN)$/.test(l)),
    'jumps and returns stay raw',
  );
  const masq = v[3];
  assert.deepEqual(masq.rule, { action: 'masquerade', source: '172.17.0.0/16' });
  assert.deepEqual(masq.beyond, ['! -o docker0']);
  assert.deepEqual(v[4].rule, { action: 'masquerade', source: '172.17.0.2', destination: '172.17.0.2', protocol: 'tcp', port: 80 });
  assert.deepEqual(v[4].beyond, []);
  const dnat = v[7];
  assert.deepEqual(dnat.rule, { action: 'dnat', protocol: 'tcp', port: 18080, toAddress: '172.17.0.2:80' });
  assert.deepEqual(dnat.beyond, ['-m addrtype --dst-type LOCAL (to DOCKER)', '! -i docker0', 'also from OUTPUT']);
});

test('a rule the model has words for reads exactly; a DNAT only OUTPUT reaches is not a model rule', () => {
  const v = natView([
    '-A POSTROUTING -s 10.0.0.0/24 -o eth0 -j MASQUERADE',
    '-A OUTPUT -p udp --dport 53 -j DNAT --to-destination 10.0.0.9',
    '-A FOO -j DNAT --to-destination 1.2.3.4',
  ]);
  assert.deepEqual(v[0], { line: v[0].line, chain: 'POSTROUTING', rule: { action: 'masquerade', source: '10.0.0.0/24', outInterface: 'eth0' }, beyond: [] });
  assert.equal(v[1].rule, undefined, 'the model places DNAT in PREROUTING');
  assert.equal(v[2].rule, undefined, 'a chain nothing jumps to');
});
