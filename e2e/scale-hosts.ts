/** Big hosts for the scale tests and screenshots, as topology documents. */

/** Scenario 03 with `n` namespaces on br0. */
export function bridgeLan(n: number) {
  const names = Array.from({ length: n }, (_, i) => `ns${i + 1}`);
  return {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    metadata: { name: `lan-${n}` },
    namespaces: names.map((name) => ({ name, routes: [{ to: 'default', via: '10.0.0.1' }] })),
    bridges: [{ name: 'br0', namespace: 'host', addresses: ['10.0.0.1/16'] }],
    veths: names.map((name, i) => ({
      ends: [
        { namespace: name, name: 'eth0', addresses: [`10.0.${(i + 2) >> 8}.${(i + 2) & 255}/16`] },
        { namespace: 'host', name: `v${i + 1}`, master: 'br0' },
      ],
    })),
  };
}

/** host–a–b–c in a chain, and one more veth host–c that has to go round a and b. */
export function chain() {
  const hop = (x: string, y: string, n: number) => ({
    ends: [
      { namespace: x, name: `to-${y}`, addresses: [`10.9.${n}.1/30`] },
      { namespace: y, name: `to-${x}`, addresses: [`10.9.${n}.2/30`] },
    ],
  });
  return {
    apiVersion: 'netns-studio/v1',
    kind: 'Topology',
    metadata: { name: 'chain' },
    namespaces: ['a', 'b', 'c'].map((name) => ({ name })),
    veths: [hop('host', 'a', 1), hop('a', 'b', 2), hop('b', 'c', 3), hop('host', 'c', 4)],
  };
}
