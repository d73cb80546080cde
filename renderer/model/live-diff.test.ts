import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedHost, ObservedNamespace } from '../../shared/model/observed';
import { emptyTopology, type Topology } from '../../shared/model/schema';
import { applyWatchData, type NamespacePart, type WatchData } from '../../shared/protocol/watch';
import { demoObserved } from '../demo-backend';
import { addNamespace, addVeth, updateVethEnd } from './edits';
import { applyNamespaceEvent, type LivePicture } from './live-diff';
import { linkOperOf, mergeLive } from './live-merge';
import { withUnnamed } from './live-unnamed';

/** The whole picture from scratch, as a resync builds it. */
function whole(hostNamed: Topology, observed: ObservedHost, doc: Topology): LivePicture {
  const { host, labels } = withUnnamed(hostNamed, observed);
  const m = mergeLive(doc, host);
  return { hostNamed, observed, host, merged: m.merged, labels, status: m.status, drift: m.drift, linkUp: m.linkUp, linkOper: linkOperOf(observed) };
}

const sortDoc = (d: Topology) => ({
  ...d,
  namespaces: [...d.namespaces].sort((a, b) => a.name.localeCompare(b.name)),
  bridges: [...d.bridges].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
  veths: [...d.veths].map((v) => JSON.stringify(v)).sort(),
});
/** The canvas picture keeps the link states of its last shape change: ports read theirs from `linkUp`. */
const noUp = (d: Topology) => sortDoc(JSON.parse(JSON.stringify(d, (k, v) => (k === 'up' ? undefined : v))) as Topology);
const sortKeys = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

function partOf(doc: Topology, name: string): NamespacePart {
  const entry = doc.namespaces.find((n) => n.name === name);
  return {
    ...(entry ? { entry } : {}),
    bridges: doc.bridges.filter((b) => b.namespace === name),
    veths: doc.veths.filter((v) => v.ends.some((e) => e.namespace === name)),
  };
}

/** An unnamed namespace (a container) with a veth to `host`/`hv0`. */
function withContainer(obs: ObservedHost, up: boolean): ObservedHost {
  const hostNs = obs.namespaces.find((n) => n.name === 'host')!;
  const c: ObservedNamespace = {
    name: 'inode:77',
    inode: 77,
    named: false,
    nsids: {},
    routes: [],
    rules: [],
    sysctls: {},
    warnings: [],
    identity: { source: 'docker', label: 'docker web' },
    links: [
      {
        ifindex: 5,
        name: 'eth0',
        kind: 'veth',
        rawKind: 'veth',
        up,
        oper: up ? 'UP' : 'DOWN',
        carrier: up,
        mtu: 1500,
        addresses: [{ cidr: '172.17.0.2/16', family: 4, scope: 'global' }],
        peer: { namespace: 'host', ifindex: 99, nsid: 0 },
      },
    ],
  };
  const h: ObservedNamespace = {
    ...hostNs,
    links: [
      ...hostNs.links.filter((l) => l.name !== 'hv0'),
      {
        ifindex: 99,
        name: 'hv0',
        kind: 'veth',
        rawKind: 'veth',
        up: true,
        oper: 'UP',
        carrier: up,
        mtu: 1500,
        addresses: [],
        peer: { namespace: 'inode:77', ifindex: 5, nsid: 1 },
      },
    ],
  };
  return { ...obs, namespaces: [...obs.namespaces.filter((n) => n.name !== 'host' && n.name !== 'inode:77'), h, c] };
}

test('a namespace diff gives the same picture as rebuilding the whole one; a port flip leaves the canvas picture alone', () => {
  let hostNamed = emptyTopology();
  for (const n of ['a', 'b', 'c']) hostNamed = addNamespace(hostNamed, undefined, n).doc;
  hostNamed = addVeth(hostNamed, { namespace: 'a' }, { namespace: 'host' }).doc;
  hostNamed = addVeth(hostNamed, { namespace: 'a' }, { namespace: 'b' }).doc;
  hostNamed = addVeth(hostNamed, { namespace: 'c' }, { namespace: 'host' }).doc;
  // the editor's document: a and b, with a's veth to b; c is only on the host
  let doc = addNamespace(addNamespace(emptyTopology(), undefined, 'a').doc, undefined, 'b').doc;
  doc = addVeth(doc, { namespace: 'a' }, { namespace: 'b' }).doc;

  let observed = withContainer(demoObserved(hostNamed), true);
  let pic = whole(hostNamed, observed, doc);
  let client = applyWatchData(undefined, { type: 'resync', observed, document: hostNamed })!;

  // one event per namespace that changed (a veth end's carrier changes on the other side too), as the helper sends them
  const step = (what: string, nextNamed: Topology, nextObserved: ObservedHost, names: string[], removed = false) => {
    const before = pic;
    for (const ns of names) {
      const one = nextObserved.namespaces.find((n) => n.name === ns)!;
      const data: Exclude<WatchData, { type: 'resync' }> = removed
        ? { type: 'namespace-removed', namespace: ns }
        : { type: 'namespace-changed', namespace: ns, observed: one, part: partOf(nextNamed, ns) };
      client = applyWatchData(client, data)!;
      pic = applyNamespaceEvent(pic, data, doc, true);
    }
    const want = whole(nextNamed, nextObserved, doc);
    assert.deepEqual(sortDoc(pic.hostNamed), sortDoc(want.hostNamed), `${what}: host document`);
    assert.deepEqual(sortDoc(pic.host), sortDoc(want.host), `${what}: drawn host`);
    assert.deepEqual(sortKeys(pic.status), sortKeys(want.status), `${what}: statuses`);
    assert.deepEqual(sortKeys(pic.drift), sortKeys(want.drift), `${what}: drift`);
    assert.deepEqual(sortKeys(pic.linkUp), sortKeys(want.linkUp), `${what}: link states`);
    assert.deepEqual(sortKeys(pic.linkOper), sortKeys(want.linkOper), `${what}: operational states`);
    assert.deepEqual(pic.labels, want.labels, `${what}: labels`);
    assert.deepEqual(sortDoc(client.document), sortDoc(nextNamed), `${what}: the shared client document`);
    return before;
  };

  // a's veth to host goes down: statuses and ports follow, the canvas picture is the same object
  let nextNamed = updateVethEnd(hostNamed, 0, 0, { up: false }).doc;
  let nextObserved = withContainer(demoObserved(nextNamed), true);
  let before = step('port down in a', nextNamed, nextObserved, ['a', 'host']);
  assert.equal(pic.merged, before.merged, 'only linkUp changed for the canvas');
  assert.equal(pic.linkUp['link:a/veth0'], false);
  hostNamed = nextNamed;

  // b's end of the host's a–b veth goes down
  nextNamed = updateVethEnd(hostNamed, 1, 1, { up: false }).doc;
  nextObserved = withContainer(demoObserved(nextNamed), true);
  step('b end down (drift)', nextNamed, nextObserved, ['b', 'a']);
  assert.equal(pic.linkUp['link:b/veth1p'], false);
  hostNamed = nextNamed;

  // an address on c's end: the shape changed, the canvas picture is replaced
  nextNamed = updateVethEnd(hostNamed, 2, 0, { addresses: ['10.9.0.1/24'] }).doc;
  nextObserved = withContainer(demoObserved(nextNamed), true);
  before = step('address on c', nextNamed, nextObserved, ['c']);
  assert.notEqual(pic.merged, before.merged);
  assert.deepEqual(noUp(pic.merged), noUp(mergeLive(doc, pic.host).merged), 'the canvas picture equals a whole merge');
  hostNamed = nextNamed;

  // the container's end goes down (an unnamed namespace: drawn from observed facts)
  nextObserved = withContainer(demoObserved(hostNamed), false);
  step('container port down', hostNamed, nextObserved, ['inode:77', 'host']);
  assert.equal(pic.linkUp['link:inode:77/eth0'], false);

  // c removed
  nextNamed = {
    ...hostNamed,
    namespaces: hostNamed.namespaces.filter((n) => n.name !== 'c'),
    veths: hostNamed.veths.filter((v) => !v.ends.some((e) => e.namespace === 'c')),
  };
  observed = { ...nextObserved, namespaces: nextObserved.namespaces.filter((n) => n.name !== 'c') };
  step('c removed', nextNamed, observed, ['c'], true);
  assert.deepEqual(noUp(pic.merged), noUp(mergeLive(doc, pic.host).merged), 'the canvas picture equals a whole merge');
});
