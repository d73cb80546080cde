import { test } from 'node:test';
import assert from 'node:assert/strict';
import { routedPath } from './edge-path';

const route = [
  { x: 250, y: 51 },
  { x: 300, y: 51 },
  { x: 300, y: 151 },
  { x: 400, y: 151 },
];

test('a route is drawn from the handles exactly, its first and last bends following them', () => {
  const d = routedPath(route, { x: 254, y: 52 }, { x: 396, y: 150 })!;
  assert.match(d, /^M 254 52 L 294 52 Q 300 52 300 58 /, 'starts at the handle; the first bend moved to the handle height');
  assert.match(d, /Q 300 150 306 150 L 396 150$/, 'ends at the handle; the last bend too');
});

test('a stale route (an end moved since the layout) is not used', () => {
  assert.equal(routedPath(route, { x: 254, y: 52 }, { x: 500, y: 150 }), undefined);
  assert.equal(routedPath(route, { x: 220, y: 52 }, { x: 396, y: 150 }), undefined);
  assert.equal(routedPath(undefined, { x: 0, y: 0 }, { x: 1, y: 1 }), undefined);
});
