import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import type { Topology } from '../../shared/model/schema';
import { addBridge, addNamespace, addVeth, movePositions } from './edits';
import { autoLayout, layoutGraph } from './layout';
import { toFlow } from './to-flow';

function assertNoOverlap(d: Topology) {
  const boxes = toFlow(d).nodes.filter((n) => !n.parentId);
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

test('a bridge with 200 members is a hub: its members in rings around it, a compact star, not one endless column', async () => {
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
  // around: members on every side of the hub, and the nearest ring closes all round it
  const host = boxes.find((b) => b.id === 'ns:host')!;
  const hc = { x: host.position.x + host.width! / 2, y: host.position.y + host.height! / 2 };
  const members = boxes.filter((b) => b.id !== 'ns:host').map((b) => ({ x: b.position.x + b.width! / 2 - hc.x, y: b.position.y + b.height! / 2 - hc.y }));
  for (const [side, ok] of [
    ['left', (p: { x: number }) => p.x < -host.width!],
    ['right', (p: { x: number }) => p.x > host.width!],
    ['above', (p: { y: number }) => p.y < -host.height!],
    ['below', (p: { y: number }) => p.y > host.height!],
  ] as const)
    assert.ok(members.filter(ok as (p: { x: number; y: number }) => boolean).length >= 20, `members ${side} the hub`);
  const mid = { x: (Math.min(...xs) + Math.max(...xs) + 250) / 2, y: (Math.min(...boxes.map((b) => b.position.y)) + Math.max(...ys)) / 2 };
  assert.ok(
    Math.abs(hc.x - mid.x) < w / 6 && Math.abs(hc.y - mid.y) < h / 6,
    `the hub in the middle of its members: hub ${JSON.stringify(hc)}, middle ${JSON.stringify(mid)}`,
  );
});

test('veths get ELK orthogonal routes from the edge source to its target, round the boxes', async () => {
  // host → a → b, and host → b directly: the long veth has to go round a
  let d = emptyTopology();
  for (let i = 0; i < 2; i++) d = addNamespace(d).doc;
  d = addVeth(d, { namespace: 'host' }, { namespace: 'ns1' }).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  d = addVeth(d, { namespace: 'ns2' }, { namespace: 'host' }).doc;
  const { positions, routes } = await layoutGraph(d);
  const laid = movePositions(d, positions);
  const flow = toFlow(laid);
  const veths = flow.edges.filter((e) => e.type === 'veth');
  assert.equal(Object.keys(routes).length, 3, 'every veth has a route');
  const boxes = flow.nodes.filter((n) => !n.parentId);
  for (const e of veths) {
    const r = routes[e.id];
    assert.ok(r && r.length >= 2, `${e.id} routed`);
    for (let i = 1; i < r.length; i++) assert.ok(r[i].x === r[i - 1].x || r[i].y === r[i - 1].y, `${e.id}: segment ${i} is horizontal or vertical`);
    // it starts at its source's box and ends at its target's (within a handle's width)
    const near = (p: { x: number; y: number }, id: string) => {
      const b = boxes.find((n) => n.id === id)!;
      return p.x >= b.position.x - 6 && p.x <= b.position.x + b.width! + 6 && p.y >= b.position.y && p.y <= b.position.y + b.height!;
    };
    assert.ok(near(r[0], e.source), `${e.id} starts at ${e.source}: ${JSON.stringify(r[0])}`);
    assert.ok(near(r[r.length - 1], e.target), `${e.id} ends at ${e.target}: ${JSON.stringify(r.at(-1))}`);
    // and crosses no other box
    for (const b of boxes) {
      if (b.id === e.source || b.id === e.target) continue;
      for (let i = 1; i < r.length; i++) {
        const [p, q] = [r[i - 1], r[i]];
        const inside =
          Math.max(p.x, q.x) > b.position.x &&
          Math.min(p.x, q.x) < b.position.x + b.width! &&
          Math.max(p.y, q.y) > b.position.y &&
          Math.min(p.y, q.y) < b.position.y + b.height!;
        assert.ok(!inside, `${e.id} runs through ${b.id}`);
      }
    }
  }
});
