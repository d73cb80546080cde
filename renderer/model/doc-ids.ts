/**
 * Canvas ids (shared/model/ids.ts `nodeId`) read back into the object they name,
 * so selection, delete and the inspector find the document object behind a node.
 */

export type ParsedId =
  | { kind: 'namespace'; ns: string }
  | { kind: 'bridge'; ns: string; name: string }
  | { kind: 'vrf'; ns: string; name: string }
  | { kind: 'forwarder'; name: string }
  | { kind: 'veth'; ns: string; ifname: string };

/** Splits `PREFIX:NS/NAME`; names never contain `/` (the validator refuses them). */
export function parseId(id: string): ParsedId | undefined {
  const colon = id.indexOf(':');
  if (colon < 0) return undefined;
  const prefix = id.slice(0, colon);
  // a duplicate id gets a `~N` suffix in the canvas (see to-flow.ts): it names the same object
  const rest = id.slice(colon + 1).replace(/~\d+$/, '');
  const slash = rest.indexOf('/');
  const a = slash < 0 ? rest : rest.slice(0, slash);
  const b = slash < 0 ? '' : rest.slice(slash + 1);
  switch (prefix) {
    case 'ns':
      return { kind: 'namespace', ns: rest };
    case 'br':
      return { kind: 'bridge', ns: a, name: b };
    case 'vrf':
      return { kind: 'vrf', ns: a, name: b };
    case 'fw':
      return { kind: 'forwarder', name: rest };
    case 'veth':
      return { kind: 'veth', ns: a, ifname: b };
    default:
      return undefined;
  }
}
