import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../shared/model/schema';
import { addNamespace, addVeth, updateVethEnd } from './model/edits';
import { createDemoBackend } from './demo-backend';
import { linkFact, startLive, stopLive } from './live-controller';
import { liveStore } from './store/live-store';
import { editorStore, isDirty, replaceDocument } from './store/editor-store';
import { mergeLive } from './model/live-merge';
import { uiStore } from './store/ui-store';

const until = async (cond: () => boolean, ms = 2000) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('live view: discover, then a watch event updates one link at once and re-discovers', async () => {
  let host = emptyTopology();
  host = addNamespace(host, undefined, 'a').doc;
  host = addVeth(host, { namespace: 'a' }, { namespace: 'host' }).doc;
  const backend = createDemoBackend(host);
  replaceDocument(addNamespace(emptyTopology(), undefined, 'a').doc);
  const fits = uiStore.getState().fit.n;
  startLive(backend);
  try {
    await until(() => !!liveStore.getState().host);
    assert.equal(uiStore.getState().fit.n, fits + 1, 'the first live picture is fitted into view');
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], true);
    // an interface the document lacks is not drift of the box (Plan leaves it alone): it shows as unmanaged itself
    assert.equal(liveStore.getState().status['ns:a'], 'in-sync');
    assert.equal(liveStore.getState().status['veth:a/veth0'], 'unmanaged');
    // a link fact in the event: applied before any re-discovery
    backend.emit({ seq: 1, type: 'link', namespace: 'a', ifname: 'veth0', up: false });
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false);
    // a bare trigger: the host is read again
    backend.host = updateVethEnd(backend.host, 0, 1, { up: false }).doc;
    backend.emit({ seq: 2, type: 'changed', namespace: 'host' });
    await until(() => liveStore.getState().linkUp['link:host/veth0p'] === false);
  } finally {
    stopLive();
  }
  assert.equal(liveStore.getState().enabled, false);
});

test('link facts are read from the shapes a helper may send', () => {
  assert.deepEqual(linkFact({ seq: 1, type: 'link', ns: 'x', name: 'eth0', operstate: 'DOWN' }), { key: 'link:x/eth0', up: false });
  assert.deepEqual(linkFact({ seq: 1, type: 'link', key: 'link:x/eth0', up: true }), { key: 'link:x/eth0', up: true });
  assert.equal(linkFact({ seq: 1, type: 'resync' }), undefined);
});

test('the first live picture of a document without positions is laid out: discovered boxes do not overlap', async () => {
  let host = emptyTopology();
  for (let i = 0; i < 8; i++) host = addNamespace(host, undefined, `c${i}`).doc;
  for (let i = 0; i < 8; i++) host = addVeth(host, { namespace: `c${i}` }, { namespace: 'host' }).doc;
  replaceDocument(emptyTopology());
  startLive(createDemoBackend(host));
  try {
    await until(() => Object.keys(editorStore.getState().doc.layout?.positions ?? {}).length === 9, 60_000); // ELK compiles on first use: slow on a loaded machine
    const { toFlow } = await import('./model/to-flow');
    const boxes = toFlow(mergeLive(editorStore.getState().doc, host).merged).nodes.filter((n) => !n.parentId);
    for (let i = 0; i < boxes.length; i++)
      for (let j = 0; j < i; j++) {
        const a = boxes[i];
        const b = boxes[j];
        assert.ok(!(a.position.x < b.position.x + b.width! && b.position.x < a.position.x + a.width! && a.position.y < b.position.y + b.height! && b.position.y < a.position.y + a.height!), `${a.id} overlaps ${b.id}`);
      }
    assert.equal(isDirty(editorStore.getState()), false, 'layout, not an unsaved change');
  } finally {
    stopLive();
  }
});

test('a per-namespace watch event flips its ports at once; the whole picture follows after the burst', async () => {
  let host = emptyTopology();
  host = addNamespace(host, undefined, 'a').doc;
  host = addVeth(host, { namespace: 'a' }, { namespace: 'host' }).doc;
  const backend = createDemoBackend(host);
  replaceDocument(emptyTopology());
  startLive(backend);
  try {
    await until(() => !!liveStore.getState().host, 10_000);
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], true);
    const down = updateVethEnd(host, 0, 0, { up: false }).doc;
    const before = liveStore.getState().hostNamed;
    const one = { name: 'a', links: [{ name: 'lo', up: true }, { name: 'veth0', up: false }] };
    backend.emit({ seq: 1, type: 'namespace-changed', namespace: 'a', document: down, observed: { namespaces: [one] }, namespaceObserved: one });
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false, 'the port, synchronously');
    assert.equal(liveStore.getState().hostNamed, before, 'the merge waits for the burst to end');
    assert.equal(liveStore.getState().linkUp['link:a/lo'], undefined, 'nothing not drawn is added');
    await until(() => liveStore.getState().hostNamed === down, 10_000);
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false);
  } finally {
    stopLive();
  }
});
