import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyRefusal, failedStepNumber, planSummaryText } from './plan-text';

const sum = (o: Partial<{ create: number; change: number; delete: number; unmanaged: number }>) => {
  const s = { create: 0, change: 0, delete: 0, unmanaged: 0, ...o };
  return { ...s, total: s.create + s.change + s.delete };
};

test('the plan summary reads as a sentence (not "8 delete1 touch unmanaged objects")', () => {
  assert.equal(planSummaryText(sum({ delete: 8, unmanaged: 1 })), '8 steps: 0 create, 0 change, 8 delete; 1 touches an unmanaged object');
  assert.equal(planSummaryText(sum({ create: 1 })), '1 step: 1 create, 0 change, 0 delete');
  assert.equal(planSummaryText(sum({ create: 2, unmanaged: 2 })), '2 steps: 2 create, 0 change, 0 delete; 2 touch unmanaged objects');
  assert.match(planSummaryText(sum({})), /Nothing to do/);
});

test('the failing step is numbered as the helper counts (its index is 0-based)', () => {
  assert.equal(failedStepNumber({ index: 86 }), 87);
  assert.equal(failedStepNumber({ index: 0 }), 1);
  assert.equal(failedStepNumber({}), undefined);
});

test('Apply says why it would be refused', () => {
  assert.equal(applyRefusal(sum({ create: 3 }), 0), undefined);
  assert.match(applyRefusal(sum({ create: 3, unmanaged: 1 }), 0, ['loopback:lab-ns1'])!, /did not create.*--allow loopback:lab-ns1/);
  assert.match(applyRefusal(sum({ create: 3 }), 2)!, /2 errors/);
  assert.match(applyRefusal(sum({}), 0)!, /Nothing/);
});
