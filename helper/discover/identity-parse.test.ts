/** The pure readers behind namespace labels: cgroup paths, argv, mountinfo, Docker's API and state files, CRI annotations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupOwner, mininetHost } from './cgroup';
import { dockerdPlaces, fromApiEntry, fromStateFiles } from './containers';
import { podOf } from './cri';
import { parseNsfsMounts } from './mounts';

const ID = 'e3e7392ea647d17b32c63f2eeaae6709e55bd605d8630679712f71706e7e5fdb';

test('cgroup paths name the container runtime, Kubernetes or the nspawn machine', () => {
  const cases: [string, ReturnType<typeof cgroupOwner>][] = [
    [`4:memory:/docker/${ID}\n0::/docker/${ID}\n`, { kind: 'docker', id: ID }],
    [`0::/system.slice/docker-${ID}.scope\n`, { kind: 'docker', id: ID }],
    [`0::/machine.slice/libpod-${ID}.scope/container\n`, { kind: 'podman', id: ID }],
    [`0::/machine.slice/libpod-conmon-${ID}.scope\n`, undefined],
    [
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-${ID}.scope\n`,
      { kind: 'kubernetes', id: ID, runtime: 'containerd' },
    ],
    [`0::/kubepods.slice/kubepods-pod2.slice/crio-${ID}.scope\n`, { kind: 'kubernetes', id: ID, runtime: 'crio' }],
    [`3:cpu:/kubepods/burstable/pod7c1/${ID}\n`, { kind: 'kubernetes', id: ID, runtime: 'unknown' }],
    ['0::/machine.slice/machine-deb\\x2dtest.scope/payload\n', { kind: 'nspawn', machine: 'deb-test' }],
    ['0::/user.slice/user-0.slice/session-1.scope\n', undefined],
    ['0::/\n', undefined],
  ];
  for (const [text, want] of cases) assert.deepEqual(cgroupOwner(text), want, text);
});

test('a Mininet host is the mininet:NAME argument of its shell', () => {
  assert.equal(mininetHost(['bash', '--norc', '--noediting', '-is', 'mininet:h1']), 'h1');
  assert.equal(mininetHost(['bash', '-c', 'echo mininet:h1']), undefined);
  assert.equal(mininetHost(['mininet:../x']), undefined);
});

test('mountinfo: network nsfs entries with unescaped paths; other namespace types and filesystems ignored', () => {
  const text = [
    '94 27 0:4 net:[4026532246] /run/docker/netns/c163ef49fd31 rw - nsfs nsfs rw',
    '95 27 0:4 net:[4026532300] /tmp/a\\040b rw shared:5 - nsfs nsfs rw',
    '96 27 0:4 mnt:[4026532301] /tmp/mnt rw - nsfs nsfs rw',
    '97 27 0:5 / /tmp/net:[1] rw - tmpfs tmpfs rw',
    '98 27 0:4 net:[4026532302] /tmp/bad\\012name rw - nsfs nsfs rw',
  ].join('\n');
  assert.deepEqual(parseNsfsMounts(text), [
    { inode: 4026532246, path: '/run/docker/netns/c163ef49fd31' },
    { inode: 4026532300, path: '/tmp/a b' },
  ]);
});

test('dockerd flags: its sockets and data root', () => {
  assert.deepEqual(dockerdPlaces(['dockerd', '-H', 'unix:///tmp/x/sock', '--data-root=/tmp/x/data', '--host=tcp://0.0.0.0:2375']), {
    sockets: ['/tmp/x/sock'],
    dataRoot: '/tmp/x/data',
  });
  assert.deepEqual(dockerdPlaces(['/usr/sbin/dockerd', '-g', '/srv/docker']), { sockets: ['/var/run/docker.sock'], dataRoot: '/srv/docker' });
});

test('Docker API entries and state files give the same container', () => {
  const api = fromApiEntry(
    {
      Id: ID,
      Names: ['/web'],
      HostConfig: { NetworkMode: 'lan' },
      Labels: { a: 'b' },
      Ports: [
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
        { PrivatePort: 53, Type: 'udp' },
      ],
      NetworkSettings: { Networks: { lan: { IPAddress: '172.30.0.2', IPPrefixLen: 24, MacAddress: '02:42:ac:1e:00:02' } } },
    },
    'docker',
  );
  const state = fromStateFiles(
    {
      ID,
      Name: '/web',
      Config: { Labels: { a: 'b' } },
      NetworkSettings: {
        Ports: {
          '80/tcp': [
            { HostIp: '0.0.0.0', HostPort: '8080' },
            { HostIp: '::', HostPort: '8080' },
          ],
        },
        Networks: { lan: { IPAddress: '172.30.0.2', IPPrefixLen: 24, MacAddress: '02:42:ac:1e:00:02' } },
      },
    },
    { NetworkMode: 'lan' },
  );
  const want = {
    runtime: 'docker',
    id: ID,
    name: 'web',
    networkMode: 'lan',
    labels: { a: 'b' },
    ports: ['8080:80/tcp'],
    networks: [{ name: 'lan', address: '172.30.0.2/24', mac: '02:42:ac:1e:00:02' }],
  };
  assert.deepEqual(api, want);
  assert.deepEqual(state, want);
  assert.deepEqual(
    fromApiEntry({ Id: ID, Names: ['/box'], HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: { none: {} } } }, 'docker')?.networks,
    [],
  );
  assert.equal(fromApiEntry({ Names: ['/x'] }, 'docker'), undefined);
});

test('CRI annotations and dockershim labels name the pod', () => {
  assert.deepEqual(podOf({ 'io.kubernetes.cri.sandbox-name': 'nginx-1', 'io.kubernetes.cri.sandbox-namespace': 'default' }), {
    namespace: 'default',
    name: 'nginx-1',
  });
  assert.deepEqual(podOf({ 'io.kubernetes.pod.name': 'dns', 'io.kubernetes.pod.namespace': 'kube-system' }), { namespace: 'kube-system', name: 'dns' });
  assert.equal(podOf({ 'io.kubernetes.pod.name': 'x' }), undefined);
});
