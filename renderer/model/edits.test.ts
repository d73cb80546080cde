import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology, Topology } from '../../shared/model/schema';
import { addBridge, addForwarder, addNamespace, addVeth, copyIds, deleteIds, pasteClip, updateBridge, updateNamespace, updateVethEnd } from './edits';

const base = () => {
  let d = emptyTopology('t');
  d = addNamespace(d, { x: 10, y: 20 }).doc; // ns1
  d = addNamespace(d).doc; // ns2
  d = addBridge(d, 'host').doc; // br0
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'host', master: 'br0' }).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  return d;
};

test('created objects get free names, ids to select and positions', () => {
  const d = base();
  assert.deepEqual(
    d.namespaces.map((n) => n.name),
    ['ns1', 'ns2'],
  );
  assert.equal(d.bridges[0].name, 'br0');
  assert.deepEqual(
    d.veths.map((v) => v.ends.map((e) => `${e.namespace}/${e.name}`)),
    [
      ['ns1/veth0', 'host/veth0p'],
      ['ns1/veth1', 'ns2/veth1p'],
    ],
  );
  assert.equal(d.veths[0].ends[1].master, 'br0');
  assert.deepEqual(d.layout?.positions['ns:ns1'], { x: 10, y: 20 });
  const r = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' });
  assert.deepEqual(r.select, ['veth:ns1/veth2']);
  // every document the editor makes stays schema-valid
  assert.doesNotThrow(() => Topology.parse(r.doc));
});

test('untouched objects keep their identity (memoized nodes do not re-render)', () => {
  const d = base();
  const next = updateNamespace(d, 'ns2', { loopback: 'down' }).doc;
  assert.equal(next.namespaces[0], d.namespaces[0]);
  assert.notEqual(next.namespaces[1], d.namespaces[1]);
  assert.equal(next.veths, d.veths);
});

test('renaming a namespace follows every reference and reports the id changes', () => {
  let d = base();
  d = addForwarder(d, 'host', 'ns1').doc;
  const r = updateNamespace(d, 'ns1', { name: 'web' });
  assert.deepEqual(
    r.doc.veths.map((v) => v.ends[0].namespace),
    ['web', 'web'],
  );
  assert.equal(r.doc.forwarders[0].target.namespace, 'web');
  assert.deepEqual(r.doc.layout?.positions['ns:web'], { x: 10, y: 20 });
  assert.equal(r.doc.layout?.positions['ns:ns1'], undefined);
  assert.equal(r.renamed?.['ns:ns1'], 'ns:web');
  assert.equal(r.renamed?.['veth:ns1/veth0'], 'veth:web/veth0');
});

test("renaming a bridge renames its members' master; moving it away detaches them", () => {
  const d = base();
  const renamed = updateBridge(d, 'host', 'br0', { name: 'lan' }).doc;
  assert.equal(renamed.veths[0].ends[1].master, 'lan');
  const moved = updateBridge(d, 'host', 'br0', { namespace: 'ns2' }).doc;
  assert.equal('master' in moved.veths[0].ends[1], false);
});

test('editing a veth end: the edge id follows its first end', () => {
  const d = base();
  const r = updateVethEnd(d, 0, 0, { name: 'eth0', addresses: ['10.0.0.2/24'] });
  assert.deepEqual(r.renamed, { 'veth:ns1/veth0': 'veth:ns1/eth0' });
  assert.deepEqual(r.doc.veths[0].ends[0].addresses, ['10.0.0.2/24']);
  const cleared = updateVethEnd(d, 0, 1, { master: undefined }).doc;
  assert.equal('master' in cleared.veths[0].ends[1], false);
});

test('deleting a namespace takes its veths and forwarders; deleting a bridge detaches members', () => {
  let d = base();
  d = addForwarder(d, 'host', 'ns2').doc;
  const noNs2 = deleteIds(d, ['ns:ns2']);
  assert.deepEqual(
    noNs2.namespaces.map((n) => n.name),
    ['ns1'],
  );
  assert.equal(noNs2.veths.length, 1);
  assert.equal(noNs2.forwarders.length, 0);
  const noBr = deleteIds(d, ['br:host/br0']);
  assert.equal(noBr.bridges.length, 0);
  assert.equal(noBr.veths[0].ends[1].master, undefined);
  assert.equal(deleteIds(d, ['veth:ns1/veth1']).veths.length, 1);
});

test('copy and paste: fresh namespace names, veths between copied namespaces follow', () => {
  const d = base();
  const clip = copyIds(d, ['ns:ns1', 'ns:ns2']);
  assert.equal(clip.veths.length, 1, 'only the veth with both ends copied');
  const r = pasteClip(d, clip);
  assert.deepEqual(
    r.doc.namespaces.map((n) => n.name),
    ['ns1', 'ns2', 'ns1-c', 'ns2-c'],
  );
  assert.deepEqual(
    r.doc.veths[2].ends.map((e) => e.namespace),
    ['ns1-c', 'ns2-c'],
  );
  assert.deepEqual(r.doc.layout?.positions['ns:ns1-c'], { x: 50, y: 60 });
  assert.ok(r.select?.includes('ns:ns1-c'));
  assert.doesNotThrow(() => Topology.parse(r.doc));
});

test('a dropped namespace never lands on another box', async () => {
  const { freeSpot } = await import('../panels/palette-actions');
  const d = base();
  const spot = freeSpot(d, { x: 10, y: 20 }); // exactly where ns1 is
  assert.ok(spot.y > 20 && spot.x === 10);
});

test('a new namespace does not move the boxes drawn where the grid put them (the host stays)', async () => {
  const { pinDrawn } = await import('../panels/palette-actions');
  const { toFlow } = await import('./to-flow');
  const d = emptyTopology();
  const hostBefore = toFlow(d).nodes.find((n) => n.id === 'ns:host')!.position;
  const pinned = pinDrawn(d);
  assert.deepEqual(pinned.layout?.positions['ns:host'], hostBefore);
  const after = addNamespace(pinned, { x: 0, y: 300 }).doc;
  assert.deepEqual(toFlow(after).nodes.find((n) => n.id === 'ns:host')!.position, hostBefore);
  // without pinning, the unplaced host is pushed below the placed namespace (the old bug)
  assert.notDeepEqual(toFlow(addNamespace(d, { x: 0, y: 300 }).doc).nodes.find((n) => n.id === 'ns:host')!.position, hostBefore);
});

test('a new forwarder listens on loopback, not on every address of the host', async () => {
  const { addForwarder } = await import('./edits');
  const f = addForwarder(emptyTopology(), 'host', 'host').doc.forwarders[0];
  assert.equal(f.listen.address, '127.0.0.1');
});

test('pasted copies go below the originals, never on top of them', async () => {
  const { pasteOffset } = await import('./edits');
  const { toFlow } = await import('./to-flow');
  let d = emptyTopology();
  d = addNamespace(d, { x: 0, y: 0 }).doc;
  d = addNamespace(d, { x: 300, y: 120 }).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  const clip = copyIds(d, ['ns:ns1', 'ns:ns2']);
  const heights = new Map(toFlow(d).nodes.map((n) => [n.id, n.height ?? 0]));
  const r = pasteClip(d, clip, pasteOffset(clip, heights));
  const boxes = toFlow(r.doc).nodes.filter((n) => !n.parentId && n.id !== 'ns:host');
  for (let i = 0; i < boxes.length; i++)
    for (let j = 0; j < i; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap =
        a.position.x < b.position.x + b.width! &&
        b.position.x < a.position.x + a.width! &&
        a.position.y < b.position.y + b.height! &&
        b.position.y < a.position.y + a.height!;
      assert.equal(overlap, false, `${a.id} overlaps ${b.id}`);
    }
});
