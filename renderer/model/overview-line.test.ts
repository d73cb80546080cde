import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import { addNamespace, addVeth, movePositions } from './edits';
import type { Pos } from './edits';
import { overviewLine, type LineEnd } from './overview-line';
import { toFlow } from './to-flow';
import { COMPACT_H, NS_W, portY } from './geometry';

const axisAligned = (l: Pos[]) => l.slice(1).every((p, i) => p.x === l[i].x || p.y === l[i].y);
const inside = (p: Pos, b: LineEnd['box']) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;

// a at (0,0), b at (400,200); compact boxes (36 px tall) but a route made for full-size boxes
const end = (x: number, y: number): LineEnd => ({
  at: { x: x + NS_W / 2, y: y + COMPACT_H / 2 },
  box: { x, y, w: NS_W, h: COMPACT_H },
  handles: [
    { x, y: y + portY(0) },
    { x: x + NS_W, y: y + portY(0) },
  ],
});
const a = end(0, 0);
const b = end(400, 200);
const route: Pos[] = [
  { x: NS_W, y: portY(0) },
  { x: 320, y: portY(0) },
  { x: 320, y: 200 + portY(0) },
  { x: 400, y: 200 + portY(0) },
];

test('a fresh route is followed, its ends pulled into the compact boxes, still horizontal/vertical', () => {
  const l = overviewLine(route, a, b)!;
  assert.equal(l.length, 4);
  assert.ok(axisAligned(l), JSON.stringify(l));
  assert.ok(inside(l[0], a.box) && inside(l[3], b.box), JSON.stringify(l));
  assert.deepEqual(l[1].x, 320, 'the bends stay where ELK put them');
  // the same route given the other way round is the same veth's
  assert.deepEqual(overviewLine([...route].reverse(), a, b), l);
});

test('a straight route between ports at different heights of compact boxes gets a jog, not a slant', () => {
  const c = end(400, 20);
  const l = overviewLine(
    [
      { x: NS_W, y: portY(0) + 20 },
      { x: 400, y: portY(0) + 20 },
    ],
    { ...a, handles: [{ x: NS_W, y: portY(0) + 20 }] },
    c,
  )!;
  assert.ok(axisAligned(l), JSON.stringify(l));
  assert.ok(inside(l[0], a.box) && inside(l[l.length - 1], c.box), JSON.stringify(l));
});

test('a route whose ends moved (or none) is not used: the caller draws a straight segment', () => {
  assert.equal(overviewLine(route, end(0, 60), b), undefined);
  assert.equal(overviewLine(undefined, a, b), undefined);
});

test('toFlow: the overview lines follow the stored routes until a box moves', () => {
  let d = emptyTopology();
  d = addNamespace(d).doc;
  d = addNamespace(d).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'ns2' }).doc;
  d = movePositions(d, { 'ns:host': { x: -600, y: 0 }, 'ns:ns1': { x: 0, y: 0 }, 'ns:ns2': { x: 400, y: 200 } });
  const id = 'veth:ns1/veth0';
  const routes = { [id]: route };
  for (const compact of [true, false]) {
    const f = toFlow(d, { compact, routes });
    assert.equal(f.lines.length, 1);
    assert.equal(f.routedLines, 1, `routed (compact ${compact})`);
    assert.equal(f.lines[0].length, 4);
    assert.ok(axisAligned(f.lines[0]));
  }
  const moved = toFlow(movePositions(d, { 'ns:ns2': { x: 450, y: 260 } }), { compact: true, routes });
  assert.equal(moved.lines[0].length, 2, 'stale: straight');
  assert.equal(moved.routedLines, 0);
});
