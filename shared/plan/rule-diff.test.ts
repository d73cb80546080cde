/**
 * The planner's policy-rule diff, table-driven over documents (so canonical forms
 * come from the planner's own fromTopology): what is added, deleted, replaced, left
 * alone, and what counts as the same rule.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type PolicyRule, type TopologyInput } from '../model/schema';
import { fromTopology } from './state';
import { diffRules, ruleText, type RuleChange } from './rule-diff';

const doc = (rules: PolicyRule[], extra: object = {}) =>
  Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', namespaces: [{ name: 'r', rules, ...extra }] } satisfies TopologyInput);

const brief = (c: RuleChange) =>
  `${c.kind} ${c.key}${c.kind === 'delete' && c.replaced ? ' (replaced)' : ''}${c.kind === 'add' && c.replaces ? ' (replacing)' : ''}${c.unmanaged ? ' unmanaged' : ''}`;

function diff(want: PolicyRule[], have: PolicyRule[], owned: 'all' | 'none' = 'all', opts: { wantExtra?: object; nsGone?: boolean } = {}): string[] {
  return diffRules({
    want: fromTopology(doc(want, opts.wantExtra)).rules,
    have: fromTopology(doc(have)).rules,
    owned: () => owned === 'all',
    nsGone: opts.nsGone ? new Set(['r']) : undefined,
  }).map(brief);
}

const src1: PolicyRule = { priority: 100, from: '10.1.0.0/24', table: 101 };
const src2: PolicyRule = { priority: 200, from: '10.2.0.0/24', table: 102 };
const src6: PolicyRule = { priority: 100, from: '2001:db8:1::/64', table: 101 };

const cases: { name: string; want: PolicyRule[]; have: PolicyRule[]; owned?: 'all' | 'none'; wantExtra?: object; nsGone?: boolean; expect: string[] }[] = [
  { name: 'an empty host gets every rule, in document order', want: [src2, src1], have: [], expect: ['add rule:r/4/200', 'add rule:r/4/100'] },
  { name: 'the same rules: nothing', want: [src1, src2], have: [src2, src1], expect: [] },
  { name: 'IPv4 and IPv6 rules at one priority are two rules', want: [src1, src6], have: [src1], expect: ['add rule:r/6/100'] },
  { name: 'an owned rule the document dropped is deleted', want: [src1], have: [src1, src2], expect: ['delete rule:r/4/200'] },
  { name: "someone else's rule the document does not mention is left alone", want: [src1], have: [src1, src2], owned: 'none', expect: [] },
  {
    name: 'a changed rule is deleted and added again (no `ip rule replace`)',
    want: [{ ...src1, table: 103 }],
    have: [src1],
    expect: ['delete rule:r/4/100 (replaced)', 'add rule:r/4/100 (replacing)'],
  },
  {
    name: 'a changed rule that is not ours is replaced as unmanaged',
    want: [{ ...src1, from: '10.9.0.0/24' }],
    have: [src1],
    owned: 'none',
    expect: ['delete rule:r/4/100 (replaced) unmanaged', 'add rule:r/4/100 (replacing) unmanaged'],
  },
  {
    name: 'an action change (lookup → blackhole) is a replacement',
    want: [{ priority: 100, from: '10.1.0.0/24', action: 'blackhole' }],
    have: [src1],
    expect: ['delete rule:r/4/100 (replaced)', 'add rule:r/4/100 (replacing)'],
  },
  {
    name: 'a fwmark mask change is a replacement',
    want: [{ priority: 50, fwmark: 1, fwmask: 0xff, table: 101 }],
    have: [{ priority: 50, fwmark: 1, table: 101 }],
    expect: ['delete rule:r/4/50 (replaced)', 'add rule:r/4/50 (replacing)'],
  },
  {
    name: 'the same rule in other words: a table by name, an address for a /32, lookup spelled out, a full mask',
    want: [
      { priority: 100, from: '10.1.0.7', table: 'uplink1', action: 'lookup' },
      { priority: 50, fwmark: 1, fwmask: 0xffffffff, table: 'main' },
    ],
    wantExtra: { tables: { uplink1: 101 } },
    have: [
      { priority: 100, from: '10.1.0.7/32', table: 101 },
      { priority: 50, fwmark: 1, table: 254 },
    ],
    expect: [],
  },
  {
    name: 'a rule with `from: all` is the rule without from',
    want: [{ priority: 100, from: 'all', table: 101 }],
    have: [{ priority: 100, table: 101 }],
    expect: [],
  },
  {
    name: 'an IPv6 rule without prefixes is told apart by family',
    want: [{ priority: 100, family: 6, iif: 'a0', table: 101 }],
    have: [{ priority: 100, iif: 'a0', table: 101 }],
    owned: 'none',
    expect: ['add rule:r/6/100'],
  },
  { name: 'a namespace that goes away takes its rules (no steps)', want: [], have: [src1, src2], nsGone: true, expect: [] },
];

for (const c of cases) {
  test(`rule diff: ${c.name}`, () => {
    assert.deepEqual(diff(c.want, c.have, c.owned, { wantExtra: c.wantExtra, nsGone: c.nsGone }), c.expect);
  });
}

test('rule text reads as `ip rule` prints it', () => {
  assert.equal(ruleText({ priority: 100, from: '10.1.0.0/24', table: 101 }), '100: from 10.1.0.0/24 lookup 101');
  assert.equal(
    ruleText({ priority: 7, to: '10.9.0.0/16', iif: 'a', oif: 'b', fwmark: 16, fwmask: 255, action: 'prohibit' }),
    '7: from all to 10.9.0.0/16 iif a oif b fwmark 0x10/0xff prohibit',
  );
});
