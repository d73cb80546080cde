import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteGets, routeGetArgv } from './route-gets';

test('route-gets lines parse into a lookup and what the kernel must answer', () => {
  const [a, b] = parseRouteGets(
    '# comment\nedge 198.51.100.1 from 10.71.1.2 iif e-l1 mark 0x2 => dev up2 via 10.71.102.1 table 102\n\nedge 10.71.66.1 => fail # blackholed\n',
  );
  assert.deepEqual(a.select, { from: '10.71.1.2', iif: 'e-l1', mark: '0x2' });
  assert.deepEqual(a.expect, { dev: 'up2', via: '10.71.102.1', table: '102' });
  assert.deepEqual(routeGetArgv(a), ['route', 'get', '198.51.100.1', 'from', '10.71.1.2', 'iif', 'e-l1', 'mark', '0x2']);
  assert.equal(b.expect, 'fail');
  assert.deepEqual(routeGetArgv(b), ['route', 'get', '10.71.66.1']);
});

test('route-gets refuses lines it cannot check', () => {
  for (const bad of [
    'edge 1.2.3.4',
    'edge 1.2.3.4 =>',
    'edge 1.2.3.4 src 1.1.1.1 => dev x',
    'edge 1.2.3.4 => dev',
    'edge 1.2.3.4 => proto static',
    'edge => dev x',
    'a b => dev x => dev y',
  ]) {
    assert.throws(() => parseRouteGets(bad), /route-gets line 1/, bad);
  }
});
