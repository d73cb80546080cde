import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedHost, ObservedLink, ObservedNamespace } from '../../shared/model/observed';
import { Topology, type Topology as Doc } from '../../shared/model/schema';
import { validateTopology } from '../../shared/validate/validate';
import { exportYaml } from '../../shared/export/yaml';
import { parse } from 'yaml';
import { adoptLive, adoptableLive, externalAliases, savable } from './live-external';
import { mergeLive } from './live-merge';
import { withUnnamed } from './live-unnamed';
import { applyNamespaceEvent, type LivePicture } from './live-diff';
import { linkOperOf } from './live-merge';

const link = (ifindex: number, name: string, extra: Partial<ObservedLink> = {}): ObservedLink => ({
  ifindex,
  name,
  kind: 'veth',
  rawKind: 'veth',
  up: true,
  oper: 'UP',
  carrier: true,
  mtu: 1500,
  addresses: [],
  ...extra,
});
const ns = (name: string, named: boolean, links: ObservedLink[], extra: Partial<ObservedNamespace> = {}): ObservedNamespace => ({
  name,
  inode: 1,
  named,
  nsids: {},
  links,
  routes: [],
  rules: [],
  sysctls: {},
  warnings: [],
  ...extra,
});
const v4 = (cidr: string) => ({ cidr, family: 4 as const, scope: 'global' });
const lo = () => link(1, 'lo', { kind: 'loopback', rawKind: 'loopback', oper: 'UNKNOWN' });
const WEB_ID = 'ab12'.repeat(16);

// a Docker host: docker0 with web's veth; an `unshare -n` process with a veth to the named namespace app;
// a `--network none` box (no veth: nothing to adopt it by)
const observed: ObservedHost = {
  readAt: 0,
  durationMs: 0,
  warnings: [],
  namespaces: [
    ns('host', true, [
      lo(),
      link(3, 'docker0', { kind: 'bridge', rawKind: 'bridge', addresses: [v4('172.17.0.1/16')] }),
      link(7, 'veth1a2b', { master: 'docker0', peer: { namespace: 'inode:9', ifindex: 6, name: 'eth0', nsid: 0 } }),
    ]),
    ns('inode:9', false, [lo(), link(6, 'eth0', { addresses: [v4('172.17.0.2/16')], peer: { namespace: 'host', ifindex: 7, name: 'veth1a2b', nsid: 0 } })], {
      inode: 9,
      holders: [{ pid: 4242, comm: 'httpd' }],
      mounts: ['/run/docker/netns/1f2e3d'],
      identity: {
        source: 'docker',
        label: 'docker web',
        containers: [{ runtime: 'docker', id: WEB_ID, name: 'web', networks: [{ name: 'bridge', address: '172.17.0.2/16' }] }],
      },
    }),
    ns('app', true, [lo(), link(2, 'a0', { addresses: [v4('10.9.0.1/24')], peer: { namespace: 'inode:12', ifindex: 2, name: 'p0', nsid: 1 } })]),
    ns('inode:12', false, [lo(), link(2, 'p0', { addresses: [v4('10.9.0.2/24')], peer: { namespace: 'app', ifindex: 2, name: 'a0', nsid: 0 } })], {
      inode: 12,
      holders: [{ pid: 777, comm: 'sleep' }],
      identity: { source: 'process', label: 'sleep 777' },
    }),
    ns('inode:11', false, [link(1, 'lo', { kind: 'loopback', rawKind: 'loopback', up: false })], {
      inode: 11,
      holders: [{ pid: 900, comm: 'sh' }],
      identity: { source: 'docker', label: 'docker box' },
    }),
  ],
};
const nsEntry = (name: string) => ({ name, loopback: 'up' as const, sysctls: {}, routes: [], nat: [], vrfs: [] });
const hostNamed = Topology.parse({
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [nsEntry('host'), nsEntry('app')],
  bridges: [{ name: 'docker0', namespace: 'host', addresses: ['172.17.0.1/16'], up: true }],
});
const empty = Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology' });
const drawn = withUnnamed(hostNamed, observed).host;
const errors = (d: Doc) =>
  validateTopology(d)
    .filter((i) => i.severity === 'error')
    .map((i) => `${i.code}: ${i.message}`);
/** the live picture of `doc` over the host, as the live controller draws it */
const live = (doc: Doc) => mergeLive(doc, withUnnamed(hostNamed, observed, externalAliases(doc, observed)).host);

test('adopting a bridge with a container veth brings the container in as an external entry: nothing dropped, valid, in sync', () => {
  assert.ok(adoptableLive(drawn, observed, 'ns:inode:9'), 'a container with a veth to the host can be adopted');
  assert.ok(!adoptableLive(drawn, observed, 'ns:inode:11'), 'a --network none box has nothing a document can attach to');
  assert.ok(adoptableLive(drawn, observed, 'veth:host/veth1a2b') && adoptableLive(drawn, observed, 'br:host/docker0'));
  for (const id of ['ns:inode:9', 'ns:inode:11', 'veth:host/veth1a2b', 'br:host/docker0']) {
    assert.equal(
      adoptableLive(drawn, observed, id),
      adoptLive(empty, drawn, observed, [id], 'selected').doc !== empty,
      `adoptable says what adopt does: ${id}`,
    );
  }
  const doc = adoptLive(empty, drawn, observed, ['br:host/docker0'], 'neighbours').doc;
  assert.deepEqual(errors(doc), []);
  assert.deepEqual(
    doc.namespaces.map((n) => [n.name, n.external]),
    [['web', { container: 'web' }]],
  );
  assert.deepEqual(
    doc.veths.map((v) => v.ends.map((e) => [e.namespace, e.name, e.master ?? '', e.addresses.join()])),
    [
      [
        ['host', 'veth1a2b', 'docker0', ''],
        ['web', 'eth0', '', '172.17.0.2/16'],
      ],
    ],
  );
  // drawn again with the document: the container's namespace is the entry, in sync; no unmanaged twin
  const m = live(doc);
  assert.equal(m.status['ns:web'], 'in-sync');
  assert.equal(m.status['veth:host/veth1a2b'], 'in-sync');
  assert.equal(m.status['br:host/docker0'], 'in-sync');
  assert.ok(!('ns:inode:9' in m.status), 'the inode:9 box is drawn as web');
  // and saved: the reference survives YAML
  const again = Topology.parse(parse(exportYaml(doc)));
  assert.deepEqual(again.namespaces[0].external, { container: 'web' });
});

test('adopt all and a multi-selection give valid documents; a process without a container is referred to by PID', () => {
  const all = adoptLive(empty, drawn, observed, [], 'all').doc;
  assert.deepEqual(errors(all), []);
  assert.deepEqual(all.namespaces.map((n) => [n.name, n.external]).sort(), [
    ['app', undefined],
    ['ext-12', { pid: 777 }],
    ['web', { container: 'web' }],
  ]);
  assert.equal(all.veths.length, 2, 'both veths into unnamed namespaces are kept');
  const m = live(all);
  assert.deepEqual(
    Object.entries(m.status).filter(([k, s]) => s !== 'in-sync' && k !== 'ns:host'),
    [['ns:inode:11', 'unmanaged']],
    'all in sync but the box with no veth (and the host, never an entry)',
  );

  // a veth selected without its bridge, plus a namespace: the bridge and the namespaces come with them
  const some = adoptLive(empty, drawn, observed, ['veth:host/veth1a2b', 'ns:app'], 'selected').doc;
  assert.deepEqual(errors(some), []);
  assert.deepEqual(
    some.bridges.map((b) => b.name),
    ['docker0'],
  );
  assert.deepEqual(some.namespaces.map((n) => n.name).sort(), ['app', 'web']);
});

test('external entries match the namespace by container id prefix, PID or namespace path', () => {
  const doc = (external: NonNullable<Doc['namespaces'][number]['external']>) => ({ namespaces: [{ ...nsEntry('x'), external }] });
  assert.deepEqual([...externalAliases(doc({ container: WEB_ID.slice(0, 12) }), observed)], [['inode:9', 'x']]);
  assert.deepEqual([...externalAliases(doc({ container: WEB_ID.slice(0, 6) }), observed)], [], 'an id prefix under 12 is not an id');
  assert.deepEqual([...externalAliases(doc({ pid: 777 }), observed)], [['inode:12', 'x']]);
  assert.deepEqual([...externalAliases(doc({ path: '/run/docker/netns/1f2e3d' }), observed)], [['inode:9', 'x']]);
  assert.deepEqual([...externalAliases(doc({ path: '/proc/900/ns/net' }), observed)], [['inode:11', 'x']]);
  assert.deepEqual([...externalAliases(doc({ container: 'gone' }), observed)], []);
});

test('positions: adopting moves an inode box to its name; a saved file keeps no inode position', () => {
  const placed: Doc = { ...empty, layout: { positions: { 'ns:inode:9': { x: 10, y: 20 }, 'ns:inode:11': { x: 30, y: 40 }, 'ns:app': { x: 1, y: 2 } } } };
  const doc = adoptLive(placed, drawn, observed, ['ns:inode:9'], 'selected').doc;
  assert.deepEqual(doc.layout?.positions, { 'ns:web': { x: 10, y: 20 }, 'ns:inode:11': { x: 30, y: 40 }, 'ns:app': { x: 1, y: 2 } });
  assert.deepEqual(savable(doc).layout?.positions, { 'ns:web': { x: 10, y: 20 }, 'ns:app': { x: 1, y: 2 } });
  assert.doesNotMatch(exportYaml(savable(doc)), /inode:/);
});

test('a watch event of the container reaches the entry drawn in its place', () => {
  const doc = adoptLive(empty, drawn, observed, ['br:host/docker0'], 'neighbours').doc;
  const aliases = externalAliases(doc, observed);
  const { host, labels } = withUnnamed(hostNamed, observed, aliases);
  const m = mergeLive(doc, host);
  const p: LivePicture = {
    hostNamed,
    observed,
    host,
    merged: m.merged,
    labels,
    status: m.status,
    drift: m.drift,
    linkUp: m.linkUp,
    linkOper: linkOperOf(observed),
  };
  assert.equal(labels.web, 'docker web');
  const web = observed.namespaces.find((n) => n.name === 'inode:9')!;
  const down = { ...web, links: web.links.map((l) => (l.name === 'eth0' ? { ...l, up: false, oper: 'DOWN' } : l)) };
  const next = applyNamespaceEvent(
    p,
    { type: 'namespace-changed', namespace: 'inode:9', observed: down, part: { bridges: [], veths: [] } },
    doc,
    true,
    aliases,
  );
  assert.equal(next.linkUp['link:web/eth0'], false);
  assert.equal(next.linkOper['link:web/eth0'].oper, 'DOWN');
  assert.equal(next.status['veth:host/veth1a2b'], 'drifted', 'the document wants it up');
  assert.ok(!next.host.namespaces.some((n) => n.name === 'inode:9'));
});
