import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { covers, regionAround } from './edge-region';

describe('the zoomed-in edges layer region', () => {
  it('covers the view and half a screen on every side, in flow units', () => {
    // view at flow (100, 50), zoom 2, a 1000×600 pane: 500×300 flow units seen
    const r = regionAround([-200, -100, 2], 1000, 600, 1);
    assert.deepEqual(r, { x: 100 - 250, y: 50 - 150, w: 1000, h: 600, zoom: 2 });
    assert.equal(covers(r, [-200, -100, 2], 1000, 600), true);
  });
  it('still covers after a pan of less than half a screen; not after more', () => {
    const r = regionAround([0, 0, 1], 1280, 800, 1);
    assert.equal(covers(r, [600, -390, 1], 1280, 800), true);
    assert.equal(covers(r, [-700, 0, 1], 1280, 800), false);
    assert.equal(covers(r, [0, 410, 1], 1280, 800), false);
  });
  it('keeps the canvas under 4096 px a side on a big or dense screen', () => {
    const r = regionAround([0, 0, 1], 3000, 2000, 2);
    assert.ok(r.w * r.zoom * 2 <= 4096 && r.h * r.zoom * 2 <= 4096);
    // too big to pad: then it is the view itself (or less) and a pan redraws
    assert.equal(covers(r, [0, 0, 1], 3000, 2000), false);
  });
  it('zooming in mid-gesture stays covered (the canvas scales with the viewport); zooming out leaves it', () => {
    const r = regionAround([0, 0, 1], 1000, 600, 1);
    assert.equal(covers(r, [-500, -300, 2], 1000, 600), true);
    assert.equal(covers(r, [0, 0, 0.5], 1000, 600), false);
  });
});
