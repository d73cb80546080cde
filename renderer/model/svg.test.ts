import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTopology } from '../../shared/model/schema';
import { addBridge, addNamespace, addVeth } from './edits';
import { topologySvg } from './svg';

test('the exported picture draws everything the canvas draws, bridge members included', () => {
  let d = addBridge(emptyTopology(), 'host').doc;
  d = addNamespace(d).doc;
  d = addNamespace(d).doc;
  d = addVeth(d, { namespace: 'ns1' }, { namespace: 'host', master: 'br0' }).doc;
  d = addVeth(d, { namespace: 'ns2' }, { namespace: 'host', master: 'br0' }).doc;
  const { svg } = topologySvg(d);
  for (const text of ['host', 'ns1', 'ns2', 'br0', 'veth0', 'veth1']) assert.match(svg, new RegExp(`>[^<]*\\b${text}\\b`), text);
  // the members, on the bridge
  assert.match(svg, />veth0p</);
  assert.match(svg, />veth1p</);
  assert.equal((svg.match(/<line /g) ?? []).length, 2, 'one line per veth');
});
