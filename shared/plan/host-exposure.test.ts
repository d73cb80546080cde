/** Which steps touch the host (issue 15): host routes and NAT, forwarders open to the network or privileged ports, targets off this host. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, type TopologyInput } from '../model/schema';
import type { Command, Step } from '../model/step';
import { forwarderStart, natRule, routeAdd, routeDel, ruleAdd, ruleDel } from './commands';
import { buildPlan } from './plan';
import { markHostExposure } from './host-exposure';

const doc = (d: Omit<TopologyInput, 'apiVersion' | 'kind'>) => Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', ...d });
const step = (c: Command, action: Step['action'] = 'create'): Step => ({ ...c, undo: [], reason: 'r', object: 'o', action });
const t = doc({
  namespaces: [{ name: 'a' }],
  veths: [
    {
      ends: [
        { namespace: 'a', name: 'x', addresses: ['10.0.0.1/24'] },
        { namespace: 'host', name: 'y', addresses: ['10.0.0.2/24'] },
      ],
    },
  ],
});
const fw = (listen: [string, string, number], target: [string, string, number]) =>
  step(
    forwarderStart({
      name: 'f',
      protocol: 'tcp',
      listen: { namespace: listen[0], address: listen[1], port: listen[2] },
      target: { namespace: target[0], address: target[1], port: target[2] },
    }),
  );
const why = (s: Step) => markHostExposure([s], t)[0].touchesHost;

test('host routes and NAT touch the host; the same in a namespace, and undoing ours, do not', () => {
  const route = { to: '10.9.0.0/16', via: '10.0.0.1' } as Parameters<typeof routeAdd>[1];
  assert.equal(why(step(routeAdd('host', route))), "changes the host's routing table");
  assert.equal(
    why(step(natRule('host', '-A', { action: 'masquerade', source: '10.0.0.0/24' } as Parameters<typeof natRule>[2]))),
    "changes the host's NAT rules",
  );
  assert.equal(why(step(routeAdd('a', route))), undefined);
  assert.equal(why(step(routeDel('host', route), 'delete')), undefined);
});

test('host policy rules touch the host, from the planner too; the same in a namespace, and undoing ours, do not', () => {
  const rule = { priority: 100, family: 4 as const, from: '10.0.0.0/24', table: 101 };
  assert.equal(why(step(ruleAdd('host', rule))), "changes the host's policy rules");
  assert.equal(why(step(ruleDel('host', rule), 'change')), "changes the host's policy rules", 'a rule replaced is deleted first');
  assert.equal(why(step(ruleAdd('a', rule))), undefined);
  assert.equal(why(step(ruleDel('host', rule), 'delete')), undefined);
  const d = doc({
    namespaces: [
      { name: 'host', rules: [{ priority: 100, from: '10.0.0.0/24', table: 101 }] },
      { name: 'a', rules: [{ priority: 100, from: '10.0.0.0/24', table: 101 }] },
    ],
  });
  const marked = markHostExposure(buildPlan(d), d).filter((s) => s.op.op === 'rule.add');
  assert.deepEqual(
    marked.map((s) => [s.namespace, s.touchesHost]),
    [
      ['host', "changes the host's policy rules"],
      ['a', undefined],
    ],
  );
});

test('forwarders: open to the network or on a privileged port in the host, or relaying off the host, touch it', () => {
  assert.match(why(fw(['host', '0.0.0.0', 2222], ['host', '127.0.0.1', 22]))!, /^listens on the host at 0\.0\.0\.0:2222 \(every address/);
  assert.match(why(fw(['host', '10.0.0.2', 2222], ['a', '10.0.0.1', 80]))!, /^listens on the host at 10\.0\.0\.2:2222$/);
  assert.equal(why(fw(['host', '127.0.0.1', 80], ['a', '10.0.0.1', 80])), 'takes the privileged port 80');
  assert.equal(why(fw(['a', '0.0.0.0', 80], ['host', '127.0.0.1', 8080])), undefined);
  assert.equal(why(fw(['a', '10.0.0.1', 8000], ['host', '10.0.0.2', 8080])), undefined);
  assert.equal(why(fw(['a', '10.0.0.1', 8000], ['a', 'example.com', 443])), "relays to example.com:443, outside the document's namespaces");
  assert.equal(why(fw(['a', '10.0.0.1', 8000], ['host', '192.0.2.9', 22])), "relays to 192.0.2.9:22, outside the document's namespaces");
});
