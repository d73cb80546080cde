import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import { addNamespace, addVeth, movePositions } from './edits';
import { autoLayout } from './layout';
import { toFlow } from './to-flow';

test('auto-layout places every box without overlaps, host first, and saves into layout.positions', () => {
  let d = emptyTopology();
  for (let i = 0; i < 6; i++) d = addNamespace(d).doc;
  for (let i = 1; i <= 6; i++) d = addVeth(d, { namespace: `ns${i}` }, { namespace: 'host' }).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  const pos = autoLayout(d);
  assert.deepEqual(Object.keys(pos).sort(), ['ns:host', 'ns:ns1', 'ns:ns2', 'ns:ns3', 'ns:ns4', 'ns:ns5', 'ns:ns6']);
  const laid = movePositions(d, pos);
  const boxes = toFlow(laid).nodes.filter((n) => !n.parentId);
  for (const a of boxes)
    for (const b of boxes) {
      if (a === b) continue;
      const overlap = a.position.x < b.position.x + b.width! && b.position.x < a.position.x + a.width! && a.position.y < b.position.y + b.height! && b.position.y < a.position.y + a.height!;
      assert.equal(overlap, false, `${a.id} overlaps ${b.id}`);
    }
  assert.ok(pos['ns:host'].x < pos['ns:ns3'].x, 'left to right from the host');
  assert.deepEqual(laid.layout?.positions['ns:ns1'], pos['ns:ns1']);
});
