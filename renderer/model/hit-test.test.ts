import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeAtFlowPoint } from './hit-test';
import type { FlowNode } from './to-flow';

const box = (id: string, x: number, y: number, width: number, height: number, extra: Partial<FlowNode> = {}) =>
  ({ id, type: 'compact', position: { x, y }, width, height, data: {}, ...extra }) as FlowNode;

test('the smallest box under the point wins; children are placed inside their parents; unselectable boxes are passed over', () => {
  const nodes = [
    box('ns:host', 0, 0, 1000, 600),
    box('ns:a', 100, 100, 200, 80),
    box('br:host/br0', 20, 30, 40, 20, { parentId: 'ns:host' }),
    box('ns:ghost', 400, 100, 100, 100, { selectable: false }),
  ];
  assert.equal(nodeAtFlowPoint(nodes, { x: 150, y: 150 }), 'ns:a');
  assert.equal(nodeAtFlowPoint(nodes, { x: 30, y: 40 }), 'br:host/br0');
  assert.equal(nodeAtFlowPoint(nodes, { x: 450, y: 150 }), 'ns:host');
  assert.equal(nodeAtFlowPoint(nodes, { x: 1500, y: 150 }), undefined);
});
