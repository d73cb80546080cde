/** What dropping (or clicking) a palette item does to the document. */
import { HOST_NS } from '../../shared/model/schema';
import { addBridge, addForwarder, addNamespace, addVeth, freeName, movePositions, namespaceNames } from '../model/edits';
import type { Pos } from '../model/edits';
import type { Topology } from '../../shared/model/schema';
import { toFlow } from '../model/to-flow';
import { NS_W } from '../model/geometry';
import { edit } from '../store/editor-store';
import { uiStore } from '../store/ui-store';

export const PALETTE_MIME = 'application/x-netns-studio-palette';
export const PALETTE_KINDS = ['namespace', 'bridge', 'veth', 'forwarder'] as const;
export type PaletteKind = (typeof PALETTE_KINDS)[number];

/** The drop point, moved down until the new box covers no other box (so every box stays clickable). */
export function freeSpot(doc: Topology, pos: Pos, w = NS_W, h = 90): Pos {
  if (doc.namespaces.length > 500) return pos;
  const boxes = toFlow(doc).nodes.filter((n) => !n.parentId);
  const p = { ...pos };
  for (let tries = 0; tries < 100; tries++) {
    const hit = boxes.find(
      (b) =>
        p.x < b.position.x + (b.width ?? 0) + 20 && b.position.x < p.x + w + 20 && p.y < b.position.y + (b.height ?? 0) + 20 && b.position.y < p.y + h + 20,
    );
    if (!hit) return p;
    p.y = hit.position.y + (hit.height ?? 0) + 30;
  }
  return p;
}

/**
 * Saved positions for every top-level box drawn where the grid put it (no saved
 * position yet): a new object then never makes the others jump (the host used to
 * move below the first namespace placed by hand).
 */
export function pinDrawn(doc: Topology): Topology {
  if (doc.namespaces.length > 500) return doc;
  const saved = doc.layout?.positions ?? {};
  const moves: Record<string, Pos> = {};
  for (const n of toFlow(doc).nodes) if (!n.parentId && !saved[n.id] && !/~\d+$/.test(n.id)) moves[n.id] = n.position;
  return Object.keys(moves).length ? movePositions(doc, moves) : doc;
}

/** `ns`: the namespace box the item was dropped on (host when dropped on empty canvas). */
export function dropPaletteItem(kind: PaletteKind, pos: Pos, ns: string = HOST_NS): void {
  switch (kind) {
    case 'namespace':
      edit((d0) => {
        const d = pinDrawn(d0);
        return addNamespace(d, freeSpot(d, pos), freeName(`${uiStore.getState().namePrefix}ns`, namespaceNames(d)));
      });
      break;
    case 'bridge':
      edit((d) => addBridge(d, ns));
      break;
    case 'veth':
      edit((d) => addVeth(d, { namespace: ns }, { namespace: HOST_NS }));
      break;
    case 'forwarder':
      edit((d) => addForwarder(d, HOST_NS, ns !== HOST_NS ? ns : (d.namespaces.find((n) => n.name !== HOST_NS)?.name ?? HOST_NS), pos));
      break;
  }
}
