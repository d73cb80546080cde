import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTopologyName, identityNote, nameFromFile, topologyIdentity } from './topology-name';
import { checkTopologyText } from '../validate/check';

test('a topology is named by its document, else its file, else its title, else "untitled"', () => {
  assert.deepEqual(topologyIdentity({ name: 'lab' }, '/x/other.yaml'), { name: 'lab', from: 'document', file: '/x/other.yaml' });
  assert.deepEqual(topologyIdentity({}, '/x/lab-a.yaml'), { name: 'lab-a', from: 'file', file: '/x/lab-a.yaml' });
  assert.deepEqual(topologyIdentity({ metadata: { name: 'My lab' } }), { name: 'My-lab', from: 'metadata' });
  assert.deepEqual(topologyIdentity({}, '-'), { name: 'untitled', from: 'default' });
  assert.match(identityNote(topologyIdentity({}, 'lab-a.yml'))!, /no top-level name: it is topology "lab-a", after its file lab-a\.yml/);
  assert.equal(identityNote(topologyIdentity({ name: 'x' })), undefined);
});

test('file names become safe topology names; unsafe document names are refused where they are written', () => {
  assert.equal(nameFromFile('/home/me/labs/lab a;rm.yaml'), 'lab-a-rm');
  assert.equal(nameFromFile('/x/.hidden.yaml'), 'hidden');
  assert.equal(nameFromFile('/x/---.yaml'), undefined);
  assert.equal(nameFromFile('x'.repeat(100) + '.yaml')?.length, 64);
  for (const bad of ['', '.', '..', '../etc', 'a/b', '-x', 'a b', 'x'.repeat(65)]) assert.ok(checkTopologyName(bad), bad);
  assert.equal(checkTopologyName('lab-a_1.2'), null);
  const r = checkTopologyText('apiVersion: netns-studio/v1\nkind: Topology\nname: ../x\n', 't.yaml');
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.errors.map((e) => [e.code, e.line]),
    [['topology-name-invalid', 3]],
  );
});
