import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { exportGost, gostServices, hostPort } from './gost';
import { Topology, type TopologyInput } from '../model/schema';

/**
 * Scenario 01's forwarders (`NAME PROTO LISTEN_NS LISTEN_ADDR TARGET_NS TARGET_ADDR`):
 *   service-0 tcp ns1 10.0.0.1:8000 host 127.0.0.1:8080
 *   service-1 tcp ns1 10.0.0.1:8001 ns2 10.0.1.1:8000
 * and the services GOST's network-namespace guide writes for them.
 */
const scenario01: TopologyInput = {
  apiVersion: 'netns-studio/v1',
  kind: 'Topology',
  namespaces: [{ name: 'ns1' }, { name: 'ns2' }],
  forwarders: [
    {
      name: 'service-0',
      protocol: 'tcp',
      listen: { namespace: 'ns1', address: '10.0.0.1', port: 8000 },
      target: { namespace: 'host', address: '127.0.0.1', port: 8080 },
    },
    {
      name: 'service-1',
      protocol: 'tcp',
      listen: { namespace: 'ns1', address: '10.0.0.1', port: 8001 },
      target: { namespace: 'ns2', address: '10.0.1.1', port: 8000 },
    },
  ],
};

const expected01 = `services:
- name: service-0
  addr: 10.0.0.1:8000
  handler:
    type: tcp
  listener:
    type: tcp
  forwarder:
    nodes:
    - name: target-0
      addr: 127.0.0.1:8080
  metadata:
    netns: ns1
- name: service-1
  addr: 10.0.0.1:8001
  handler:
    type: tcp
  listener:
    type: tcp
  forwarder:
    nodes:
    - name: target-0
      addr: 10.0.1.1:8000
  metadata:
    netns: ns1
    netns.out: ns2
`;

const body = (text: string) => text.replace(/^(#.*\n)+\n?/, '');

test('scenario 01 exports as the two services of the GOST guide, text for text', () => {
  assert.equal(body(exportGost(Topology.parse(scenario01))), expected01);
});

test('host means GOST default namespace: the key is left out; udp and IPv6 are spelled right', () => {
  const t = Topology.parse({
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    forwarders: [
      {
        name: 'h2h',
        protocol: 'udp',
        listen: { namespace: 'host', address: '::', port: 53 },
        target: { namespace: 'host', address: '2001:db8::53', port: 53 },
      },
      {
        name: 'out',
        protocol: 'tcp',
        listen: { namespace: 'host', address: '0.0.0.0', port: 80 },
        target: { namespace: 'ns1', address: 'web.lab', port: 8080 },
      },
    ],
  } satisfies TopologyInput);
  const services = parse(exportGost(t)).services;
  assert.deepEqual(services, gostServices(t));
  assert.deepEqual(services[0], {
    name: 'h2h',
    addr: '[::]:53',
    handler: { type: 'udp' },
    listener: { type: 'udp' },
    forwarder: { nodes: [{ name: 'target-0', addr: '[2001:db8::53]:53' }] },
  });
  assert.deepEqual(services[1].metadata, { 'netns.out': 'ns1' });
  assert.equal(services[1].forwarder.nodes[0].addr, 'web.lab:8080');
});

test('no forwarders: an empty services list; the header comment cannot be broken by a name', () => {
  const t = Topology.parse({ apiVersion: 'netns-studio/v1', kind: 'Topology', metadata: { name: 'x\nservices: evil' } });
  const text = exportGost(t);
  assert.deepEqual(parse(text), { services: [] });
  assert.equal(hostPort('10.0.0.1', 1), '10.0.0.1:1');
});
