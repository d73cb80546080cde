import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBits, mergeRates, rateText, rateWidth, HISTORY, type RatesView } from './rates';

const r = (key: string, txBps: number) => ({ key, rxBps: 0, txBps, rxPps: 0, txPps: txBps / 1000 });
const ev = (rates: ReturnType<typeof r>[]) => ({ at: 0, intervalMs: 1000, links: 10, readMs: 1, rates });

test('rates merge into the current picture with a bounded history per link; idle links drop out', () => {
  let v: RatesView = { now: {}, history: {} };
  v = mergeRates(v, ev([r('link:a/v', 1000)]));
  v = mergeRates(v, ev([r('link:a/v', 2000), r('link:b/w', 0)]));
  assert.deepEqual(Object.keys(v.now), ['link:a/v']);
  assert.deepEqual(v.history['link:a/v'], [8000, 16000]);
  v = mergeRates(v, ev([]));
  assert.deepEqual(v.now, {});
  assert.deepEqual(v.history['link:a/v'], [8000, 16000, 0], 'a link that stopped keeps its history while it shows');
  for (let i = 0; i < HISTORY; i++) v = mergeRates(v, ev([]));
  assert.equal(v.history['link:a/v'], undefined, 'forgotten once its history is all idle');
});

test('words and widths for a rate', () => {
  assert.equal(formatBits(300_100_000), '300 Mbit/s');
  assert.equal(formatBits(1_234_000), '1.2 Mbit/s');
  assert.equal(formatBits(12), '12 bit/s');
  assert.equal(rateText(r('k', 37_500_000)), '→ 300 Mbit/s, 37.5k pkt/s · ← 0 bit/s, 0 pkt/s');
  assert.equal(rateWidth(0), 1.5);
  assert.ok(rateWidth(1e9) > rateWidth(1e6) && rateWidth(1e12) === 7);
});
