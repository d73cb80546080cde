import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ratesBetween, samplingInterval, MAX_INTERVAL_MS } from './rates';

const c = (rxBytes: number, txBytes: number, rxPackets = 0, txPackets = 0) => ({ rxBytes, txBytes, rxPackets, txPackets });

test('rates per second from two readings; a link that is new or was re-created gives none', () => {
  const prev = new Map([
    ['link:a/v', c(1000, 5000, 10, 50)],
    ['link:a/w', c(900, 900)],
  ]);
  const next = new Map([
    ['link:a/v', c(3000, 5000, 30, 50)],
    ['link:a/w', c(10, 10)],
    ['link:a/new', c(1, 1)],
  ]);
  assert.deepEqual(ratesBetween(prev, next, 500), [{ key: 'link:a/v', rxBps: 4000, txBps: 0, rxPps: 40, txPps: 0 }]);
  assert.deepEqual(ratesBetween(prev, next, 0), []);
});

test('the interval grows with the host and with what one reading costs, within bounds', () => {
  assert.equal(samplingInterval(10, 2), 1020);
  assert.equal(samplingInterval(500, 5), 2000);
  assert.equal(samplingInterval(500, 80), 4000, 'a reading of 80 ms is at most 2 % of the interval');
  assert.equal(samplingInterval(100_000, 1), MAX_INTERVAL_MS);
  assert.equal(samplingInterval(1, 1, 3000), 3000, 'never faster than asked');
});
