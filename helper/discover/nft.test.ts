import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseNftRuleset } from './nft';

// `nft -j list ruleset` of a namespace with a native table and iptables-nft's own filter table (nft 1.0.6)
const RULESET = JSON.stringify({
  nftables: [
    { metainfo: { version: '1.0.6', json_schema_version: 1 } },
    { table: { family: 'inet', name: 't12', handle: 1 } },
    { chain: { family: 'inet', table: 't12', name: 'fw', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'drop' } },
    { chain: { family: 'inet', table: 't12', name: 'helper', handle: 4 } },
    {
      rule: {
        family: 'inet',
        table: 't12',
        chain: 'fw',
        handle: 2,
        expr: [{ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: '10.0.0.1' } }, { accept: null }],
      },
    },
    { rule: { family: 'inet', table: 't12', chain: 'fw', handle: 3, expr: [{ counter: { packets: 0, bytes: 0 } }, { drop: null }] } },
    { table: { family: 'ip', name: 'filter', handle: 2 } },
    { chain: { family: 'ip', table: 'filter', name: 'FORWARD', handle: 1, type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } },
  ],
});

test('native nft base chains are kept with hook, policy and rules; plain verdicts recognised; iptables-nft tables and regular chains left out', () => {
  const chains = parseNftRuleset(RULESET);
  assert.equal(chains.length, 1);
  const [c] = chains;
  assert.deepEqual(
    { family: c.family, table: c.table, name: c.name, hook: c.hook, policy: c.policy },
    { family: 'inet', table: 't12', name: 'fw', hook: 'forward', policy: 'drop' },
  );
  assert.equal(c.rules[0].verdict, undefined, 'a rule with a match is not a plain verdict');
  assert.match(c.rules[0].text, /^table inet t12 chain fw rule .*saddr.*10\.0\.0\.1/);
  assert.equal(c.rules[1].verdict, 'drop', 'counter + drop is a plain drop');
});
