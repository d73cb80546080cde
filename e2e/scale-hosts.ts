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
