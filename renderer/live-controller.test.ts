import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology, type Topology } from '../shared/model/schema';
import { addNamespace, addVeth, updateVethEnd } from './model/edits';
import { createDemoBackend, demoObserved } from './demo-backend';
import type { WatchEvent } from '../shared/backend';
import { startLive, stopLive } from './live-controller';
import { liveStore } from './store/live-store';
import { editorStore, isDirty, replaceDocument } from './store/editor-store';
import { mergeLive } from './model/live-merge';
import { uiStore } from './store/ui-store';
import { waitUntil } from '../testing/until';

/** `waitUntil` with this file's 2 s default: the demo backend answers in a few event-loop turns. */
const until = (cond: () => boolean, ms = 2000) => waitUntil('the live view to catch up', cond, ms);

const partOf = (doc: Topology, name: string) => {
  const entry = doc.namespaces.find((n) => n.name === name);
  return {
    ...(entry ? { entry } : {}),
    bridges: doc.bridges.filter((b) => b.namespace === name),
    veths: doc.veths.filter((v) => v.ends.some((e) => e.namespace === name)),
  };
};
const changed = (seq: number, host: Topology, name: string): WatchEvent => ({
  seq,
  type: 'namespace-changed',
  namespace: name,
  observed: demoObserved(host).namespaces.find((n) => n.name === name)!,
  part: partOf(host, name),
});

test('live view: the resync draws the host, a diff updates one namespace, a gap in the numbers reads the host again', async () => {
  let host = emptyTopology();
  host = addNamespace(host, undefined, 'a').doc;
  host = addVeth(host, { namespace: 'a' }, { namespace: 'host' }).doc;
  const backend = createDemoBackend(host);
  replaceDocument(addNamespace(emptyTopology(), undefined, 'a').doc);
  const fits = uiStore.getState().fit.n;
  let discovers = 0;
  const discover = backend.discover;
  backend.discover = (o) => (discovers++, discover(o));
  startLive(backend);
  try {
    await until(() => !!liveStore.getState().host);
    assert.equal(discovers, 0, "the watch's resync is the first picture: the host is not read twice");
    assert.equal(uiStore.getState().fit.n, fits + 1, 'the first live picture is fitted into view');
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], true);
    // an interface the document lacks is not drift of the box (Plan leaves it alone): it shows as unmanaged itself
    assert.equal(liveStore.getState().status['ns:a'], 'in-sync');
    assert.equal(liveStore.getState().status['veth:a/veth0'], 'unmanaged');
    // one namespace's diff: applied at once, the canvas picture kept (only a port state changed)
    const merged = liveStore.getState().merged;
    backend.host = updateVethEnd(host, 0, 0, { up: false }).doc;
    backend.emit(changed(2, backend.host, 'a'));
    assert.equal(liveStore.getState().linkUp['link:a/veth0'], false, 'the port, synchronously');
    assert.equal(liveStore.getState().merged, merged, 'the canvas derives nothing for a port flip');
    assert.equal(liveStore.getState().hostNamed?.veths[0].ends.find((e) => e.namespace === 'a')?.up, false, 'the host document follows');
    assert.equal(discovers, 0);
    // a number skipped: the picture may be wrong, the host is read again
    backend.host = updateVethEnd(backend.host, 0, 1, { up: false }).doc;
    backend.emit(changed(4, backend.host, 'a'));
    await until(() => discovers === 1 && liveStore.getState().linkUp['link:host/veth0p'] === false);
  } finally {
    stopLive();
  }
  assert.equal(liveStore.getState().enabled, false);
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
        assert.ok(
          !(
            a.position.x < b.position.x + b.width! &&
            b.position.x < a.position.x + a.width! &&
            a.position.y < b.position.y + b.height! &&
            b.position.y < a.position.y + a.height!
          ),
          `${a.id} overlaps ${b.id}`,
        );
      }
    assert.equal(isDirty(editorStore.getState()), false, 'layout, not an unsaved change');
  } finally {
    stopLive();
  }
});
