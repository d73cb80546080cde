import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import type { Topology } from '../../shared/model/schema';
import { addBridge, addNamespace, addVeth, movePositions } from './edits';
import { autoLayout } from './layout';
import { toFlow } from './to-flow';

function assertNoOverlap(d: Topology) {
  const boxes = toFlow(d).nodes.filter((n) => !n.parentId);
  for (let i = 0; i < boxes.length; i++)
    for (let j = 0; j < i; j++) {
      const a = boxes[i];
      const b = boxes[j];
      const overlap = a.position.x < b.position.x + b.width! && b.position.x < a.position.x + a.width! && a.position.y < b.position.y + b.height! && b.position.y < a.position.y + a.height!;
      assert.equal(overlap, false, `${a.id} overlaps ${b.id}`);
    }
  return boxes;
}

test('auto-layout places every box without overlaps, host first, and saves into layout.positions', async () => {
  let d = emptyTopology();
  for (let i = 0; i < 6; i++) d = addNamespace(d).doc;
  for (let i = 1; i <= 5; i++) d = addVeth(d, { namespace: `ns${i}` }, { namespace: 'host' }).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  d = addVeth(d, { namespace: 'ns5' }, { namespace: 'ns6' }).doc;
  const pos = await autoLayout(d);
  assert.deepEqual(Object.keys(pos).sort(), ['ns:host', 'ns:ns1', 'ns:ns2', 'ns:ns3', 'ns:ns4', 'ns:ns5', 'ns:ns6']);
  const laid = movePositions(d, pos);
  assertNoOverlap(laid);
  assert.ok(pos['ns:host'].x < pos['ns:ns3'].x, 'left to right from the host');
  assert.ok(pos['ns:ns5'].x < pos['ns:ns6'].x, 'a chain goes on to the right');
  assert.deepEqual(laid.layout?.positions['ns:ns1'], pos['ns:ns1']);
});

test('a bridge with 200 members is a hub: its members packed in a block beside it, not one endless column', async () => {
  let d = addBridge(emptyTopology(), 'host').doc;
  for (let i = 0; i < 200; i++) d = addNamespace(d).doc;
  for (let i = 1; i <= 200; i++) d = addVeth(d, { namespace: `ns${i}` }, { namespace: 'host', master: 'br0' }).doc;
  const pos = await autoLayout(d);
  const boxes = assertNoOverlap(movePositions(d, pos));
  const xs = boxes.map((b) => b.position.x);
  const ys = boxes.map((b) => b.position.y + b.height!);
  const w = Math.max(...xs) - Math.min(...xs) + 250;
  const h = Math.max(...ys) - Math.min(...boxes.map((b) => b.position.y));
  assert.ok(w / h > 0.5 && w / h < 4, `a compact drawing, not a column: ${w} × ${h}`);
  assert.ok(pos['ns:host'].x < Math.min(...Object.entries(pos).filter(([k]) => k !== 'ns:host').map(([, p]) => p.x)), 'the hub left of its members');
});
