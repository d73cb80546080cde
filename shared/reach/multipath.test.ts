/**
 * Multipath routes: the walk follows every path; the same verdict on all is the
 * answer, paths that disagree give "unknown" naming the route and each outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology } from '../model/schema';
import { netOfDocument } from './from-document';
import { trace } from './trace';

/** a reaches c through b over two links (a1–b1, a2–b2) by one multipath route; `second` is its second gateway. */
function twoPaths(second: string) {
  return netOfDocument(
    Topology.parse({
      apiVersion: 'netns-studio/v1',
      kind: 'Topology',
      namespaces: [
        {
          name: 'a',
          routes: [
            {
              to: '10.9.0.0/24',
              nexthops: [
                { via: '10.1.0.2', dev: 'a1' },
                { via: second, dev: 'a2' },
              ],
            },
          ],
        },
        { name: 'b', sysctls: { 'net.ipv4.ip_forward': '1' } },
        { name: 'c', routes: [{ to: 'default', via: '10.9.0.1' }] },
      ],
      veths: [
        {
          ends: [
            { namespace: 'a', name: 'a1', addresses: ['10.1.0.1/24'] },
            { namespace: 'b', name: 'b1', addresses: ['10.1.0.2/24'] },
          ],
        },
        {
          ends: [
            { namespace: 'a', name: 'a2', addresses: ['10.2.0.1/24'] },
            { namespace: 'b', name: 'b2', addresses: ['10.2.0.2/24'] },
          ],
        },
        {
          ends: [
            { namespace: 'b', name: 'b3', addresses: ['10.9.0.1/24'] },
            { namespace: 'c', name: 'c1', addresses: ['10.9.0.2/24'] },
          ],
        },
      ],
    }),
  );
}

test("multipath: both paths reach, so the answer is ok (the first path's hops)", () => {
  const r = trace(twoPaths('10.2.0.2'), 'a', '10.9.0.2');
  assert.equal(r.predicted, 'ok', r.reason);
  assert.ok(
    r.hops.some((h) => h.kind === 'send' && h.iface === 'a1' && /path 1 of 2/.test(h.entry ?? '')),
    JSON.stringify(r.hops),
  );
});

test('multipath: a second path whose gateway nobody holds makes the paths disagree: unknown, naming the route and each outcome', () => {
  const r = trace(twoPaths('10.2.0.99'), 'a', '10.9.0.2');
  assert.equal(r.predicted, 'unknown', r.reason);
  assert.equal(r.failure?.code, 'multipath-differs');
  assert.equal(r.failure?.ns, 'a');
  assert.match(r.reason, /multipath route 10\.9\.0\.0\/24 nexthop via 10\.1\.0\.2 dev a1 nexthop via 10\.2\.0\.99 dev a2 disagree/);
  assert.match(r.reason, /path 1: ok; path 2: fail \(a: gateway 10\.2\.0\.99 does not answer on a2/);
});

test('multipath: both paths failing the same way is a fail, not unknown', () => {
  const net = twoPaths('10.2.0.99');
  // nobody holds 10.9.0.77: path 1 ends at b with no neighbour, path 2 at the wrong gateway
  const r = trace(net, 'a', '10.9.0.77');
  assert.equal(r.predicted, 'fail', r.reason);
});
