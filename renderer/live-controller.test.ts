import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../shared/model/schema';
import { addNamespace, addVeth, updateVethEnd } from './model/edits';
import { createDemoBackend } from './demo-backend';
import { linkFact, startLive, stopLive } from './live-controller';
import { liveStore } from './store/live-store';
import { replaceDocument } from './store/editor-store';

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
  startLive(backend);
  try {
    await until(() => !!liveStore.getState().host);
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

test('a per-namespace watch event flips its ports at once; the whole picture follows after the burst', async () => {
  let host = emptyTopology();
  host = addNamespace(host, undefined, 'a').doc;
  host = addVeth(host, { namespace: 'a' }, { namespace: 'host' }).doc;
  const backend = createDemoBackend(host);
  replaceDocument(emptyTopology());
  startLive(backend);
  try {
    await until(() => !!liveStore.getState().host);
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], true);
    const down = updateVethEnd(host, 0, 0, { up: false }).doc;
    const before = liveStore.getState().hostNamed;
    const one = { name: 'a', links: [{ name: 'lo', up: true }, { name: 'veth0', up: false }] };
    backend.emit({ seq: 1, type: 'namespace-changed', namespace: 'a', document: down, observed: { namespaces: [one] }, namespaceObserved: one });
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false, 'the port, synchronously');
    assert.equal(liveStore.getState().hostNamed, before, 'the merge waits for the burst to end');
    assert.equal(liveStore.getState().linkUp['link:a/lo'], undefined, 'nothing not drawn is added');
    await until(() => liveStore.getState().hostNamed === down);
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false);
  } finally {
    stopLive();
  }
});
