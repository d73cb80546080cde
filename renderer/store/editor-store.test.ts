import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import { addNamespace, movePositions, updateNamespace } from '../model/edits';
import { edit, editorStore, isDirty, markSaved, redo, replaceDocument, undo } from './editor-store';
import { uiStore } from './ui-store';

const names = () => editorStore.getState().doc.namespaces.map((n) => n.name);

test('every edit is undoable and redoable; a new edit clears redo', () => {
  replaceDocument(emptyTopology());
  edit((d) => addNamespace(d));
  edit((d) => addNamespace(d));
  assert.deepEqual(names(), ['ns1', 'ns2']);
  assert.deepEqual(uiStore.getState().selection, ['ns:ns2'], 'the created object is selected');
  undo();
  assert.deepEqual(names(), ['ns1']);
  undo();
  assert.deepEqual(names(), []);
  undo(); // nothing left: no change
  redo();
  assert.deepEqual(names(), ['ns1']);
  edit((d) => addNamespace(d, undefined, 'x'));
  assert.equal(editorStore.getState().future.length, 0);
  redo();
  assert.deepEqual(names(), ['ns1', 'x']);
});

test('a drag coalesces into one undo step; separate drags do not', () => {
  replaceDocument(emptyTopology());
  edit((d) => addNamespace(d, { x: 0, y: 0 }));
  for (let i = 1; i <= 20; i++) edit((d) => movePositions(d, { 'ns:ns1': { x: i, y: i } }), { coalesce: 'drag:ns:ns1', now: 1000 + i * 16 });
  assert.equal(editorStore.getState().past.length, 2);
  undo();
  assert.deepEqual(editorStore.getState().doc.layout?.positions['ns:ns1'], { x: 0, y: 0 });
  redo();
  edit((d) => movePositions(d, { 'ns:ns1': { x: 99, y: 99 } }), { coalesce: 'drag:ns:ns1', now: 1000 + 20 * 16 + 5000 });
  assert.equal(editorStore.getState().past.length, 3, 'a later drag is its own step');
});

test('selection follows a rename; dirty tracks the saved revision', () => {
  replaceDocument(emptyTopology());
  assert.equal(isDirty(editorStore.getState()), false);
  edit((d) => addNamespace(d));
  assert.equal(isDirty(editorStore.getState()), true);
  edit((d) => updateNamespace(d, 'ns1', { name: 'web' }));
  assert.deepEqual(uiStore.getState().selection, ['ns:web']);
  markSaved({ name: 'x.yaml' });
  assert.equal(isDirty(editorStore.getState()), false);
  undo();
  assert.equal(isDirty(editorStore.getState()), true);
});

test('an edit that changes nothing adds no history', () => {
  replaceDocument(emptyTopology());
  edit((d) => d);
  assert.equal(editorStore.getState().past.length, 0);
});

test('undo and redo clear the selection (no stale "4 objects selected")', () => {
  replaceDocument(emptyTopology());
  for (let i = 0; i < 4; i++) edit((d) => addNamespace(d));
  uiStore.getState().setSelection(['ns:ns1', 'ns:ns2', 'ns:ns3', 'ns:ns4']);
  undo();
  assert.deepEqual(uiStore.getState().selection, []);
  uiStore.getState().setSelection(['ns:ns1']);
  redo();
  assert.deepEqual(uiStore.getState().selection, []);
});
