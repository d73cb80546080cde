import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argvProblem as commandProblem, parseSysctl } from './validate-step';

const ok = (namespace: string, ...argv: string[]) => assert.equal(commandProblem({ namespace, argv }), undefined, argv.join(' '));
const bad = (namespace: string, ...argv: string[]) => assert.ok(commandProblem({ namespace, argv }), `${namespace}: ${JSON.stringify(argv)} must be refused`);

test('accepts the commands plans are made of', () => {
  ok('host', 'ip', 'netns', 'add', 'ns-router');
  ok('host', 'ip', 'link', 'add', 'name', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1', 'netns', 'ns1');
  ok('ns1', 'ip', 'address', 'add', 'fd00::1/64', 'dev', 'veth1');
  ok('ns1', 'ip', '-6', 'route', 'add', 'default', 'via', 'fd00::ff', 'dev', 'veth1', 'metric', '100');
  ok('ns1', 'ip', 'link', 'set', 'dev', 'veth1', 'mtu', '1400', 'up');
  ok('r', 'sysctl', '-w', 'net.ipv4.ip_forward=1');
  ok('r', 'sysctl', '-w', 'net.ipv4.ping_group_range=0 2147483647');
  ok('r', 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-s', '192.168.1.0/24', '-o', 'veth-router2', '-j', 'MASQUERADE');
  ok('ns1', 'write-file', '/etc/netns/ns1/resolv.conf', 'nameserver 10.3.9.4\n');
  ok('ns1', 'remove-file', '/etc/netns/ns1/resolv.conf');
  ok(
    'host',
    'forwarder-start',
    'f1',
    JSON.stringify({
      name: 'f1',
      protocol: 'tcp',
      listen: { namespace: 'host', address: '10.0.0.11', port: 8080 },
      target: { namespace: 'ns1', address: '10.0.0.1', port: 80 },
    }),
  );
});

test('refuses shell tricks, other programs and other files', () => {
  for (const name of ['a;rm -rf /', '$(x)', 'a\nb', 'a b', "a'b", 'a"b', 'a\\b', '#x', '`x`', '-x', 'a|b', 'a&b', 'a>b', '']) {
    bad('host', 'ip', 'link', 'add', 'name', name, 'type', 'bridge');
    bad(name, 'ip', 'link', 'set', 'dev', 'lo', 'up');
  }
  bad('host', 'ip', 'netns', 'exec', 'ns1', 'sh');
  bad('host', 'ip', 'netns', 'add', '..');
  bad('host', 'ip', 'netns', 'add', 'host');
  bad('host', 'ip', '-batch', 'x');
  bad('host', 'ip', '-force', 'link', 'del', 'dev', 'x');
  bad('host', 'ip', 'monitor');
  bad('host', 'ip', 'link', 'show');
  bad('host', 'ip', 'link', 'set', 'dev', 'x', 'netns', '../x');
  bad('host', 'bash', '-c', 'x');
  bad('host', 'sysctl', '-w', 'kernel.core_pattern=x');
  bad('host', 'sysctl', '-p', '/etc/x');
  bad('host', 'sysctl', '-w', 'net.ipv4.ip_forward=1;x');
  bad('host', 'iptables', '-t', 'filter', '-A', 'INPUT', '-j', 'DROP');
  bad('host', 'iptables', '-t', 'nat', '-F');
  bad('host', 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-j', 'MASQUERADE', '-m', 'comment', '--comment', 'x y');
  bad('ns1', 'write-file', '/etc/passwd', 'x');
  bad('ns1', 'write-file', '/etc/netns/ns2/resolv.conf', 'x');
  bad('host', 'write-file', '/etc/netns/host/resolv.conf', 'x');
  bad('ns1', 'write-file', '/etc/netns/ns1/resolv.conf', 'x\0y');
  bad('host', 'forwarder-start', 'a;b', '{}');
  bad('host', 'forwarder-start', 'f', '{"name":"g"}');
});

test('the filter table takes exactly the bridge accept rule of shared/plan/commands.ts', () => {
  const rule = (br: string, comment = `netns-studio:bridge:${br}`) => ['FORWARD', '-i', br, '-o', br, '-m', 'comment', '--comment', comment, '-j', 'ACCEPT'];
  for (const op of ['-I', '-D', '-C']) ok('host', 'iptables', '-w', '-t', 'filter', op, ...rule('br0'));
  bad('host', 'iptables', '-w', '-t', 'filter', '-A', ...rule('br0'));
  bad('host', 'iptables', '-w', '-t', 'filter', '-I', ...rule('br0', 'netns-studio:bridge:br1'));
  bad('host', 'iptables', '-w', '-t', 'filter', '-I', 'FORWARD', '-j', 'ACCEPT');
  bad('host', 'iptables', '-w', '-t', 'filter', '-I', 'FORWARD', '-i', 'br0', '-j', 'ACCEPT');
  bad('host', 'iptables', '-w', '-t', 'filter', '-I', ...rule('br0').slice(0, -1), 'DROP');
  bad('host', 'iptables', '-w', '-t', 'filter', '-P', 'FORWARD', 'ACCEPT');
  bad('host', 'iptables', '-w', '-t', 'nat', '-I', ...rule('br0'));
});

test('parseSysctl', () => {
  assert.deepEqual(parseSysctl(['sysctl', '-w', 'net.ipv4.ip_forward=1']), { key: 'net.ipv4.ip_forward', value: '1' });
  assert.deepEqual(parseSysctl(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=0']), { key: 'net.ipv6.conf.all.forwarding', value: '0' });
  assert.equal(parseSysctl(['sysctl', '-w', 'net.ipv4.ip_forward']), undefined);
});

test('a command runs only what its operation says: argv that spells another operation, or another namespace, is refused', async () => {
  const { commandProblem: problem } = await import('./validate-step');
  const { addrAdd, linkSetUp } = await import('../../shared/plan/commands');
  assert.equal(problem(addrAdd('n1', 'e0', '10.0.0.1/24')), undefined);
  // the previous version's spelling of the same operation passes
  assert.equal(problem({ ...addrAdd('n1', 'e0', '10.0.0.1/24'), argv: ['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'e0'] }), undefined);
  assert.match(problem({ ...linkSetUp('n1', 'e0', true), argv: ['ip', 'link', 'set', 'dev', 'e1', 'up'] })!, /does not spell the operation/);
  assert.match(problem({ ...linkSetUp('n1', 'e0', true), namespace: 'n2' })!, /runs in n1/);
  assert.match(problem({ namespace: 'n1', argv: ['ip', 'link', 'set', 'dev', 'e0', 'up'], op: { op: 'nope' } } as never)!, /not an operation/);
});
