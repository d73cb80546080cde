/**
 * The editor's commands, shared by the toolbar, the keyboard and the desktop menu,
 * so each behaves the same from everywhere.
 */
import type { ReactFlowInstance } from '@xyflow/react';
import type { Backend, MenuCommand } from '../shared/backend';
import { nodeId } from '../shared/model/ids';
import { copyIds, deleteIds, movePositions, pasteClip, pasteOffset } from './model/edits';
import { pinDrawn } from './panels/palette-actions';
import type { Clip } from './model/edits';
import { layoutGraph } from './model/layout';
import { toFlow } from './model/to-flow';
import { mergeLive } from './model/live-merge';
import { liveSearchIds } from './model/live-search';
import { edit, editorStore, redo, undo } from './store/editor-store';
import { uiStore } from './store/ui-store';
import { liveStore } from './store/live-store';
import { startLive, stopLive } from './live-controller';
import { exportAs, loadText, newDocument, openDocument, saveDocument, unlessUnsaved } from './files';

let clipboard: Clip | undefined;

export function deleteSelection(): void {
  const sel = uiStore.getState().selection;
  if (!sel.length) return;
  edit((d) => deleteIds(d, sel));
  uiStore.getState().setSelection([]);
}

export function copySelection(): void {
  const sel = uiStore.getState().selection;
  if (sel.length) clipboard = copyIds(editorStore.getState().doc, sel);
}

export function paste(): void {
  const clip = clipboard;
  if (!clip) return;
  edit((d0) => {
    const d = pinDrawn(d0);
    const heights = new Map(toFlow(d).nodes.map((n) => [n.id, n.height ?? 0]));
    return pasteClip(d, clip, pasteOffset(clip, heights));
  });
}

export function selectAll(): void {
  const flow = toFlow(editorStore.getState().doc);
  uiStore.getState().setSelection([...flow.nodes.filter((n) => !n.parentId).map((n) => n.id), ...flow.edges.filter((e) => e.type === 'veth').map((e) => e.id)]);
}

export async function runAutoLayout(rf?: ReactFlowInstance): Promise<void> {
  // in the live view the host's own objects are on the canvas too: lay them out with the rest
  const live = liveStore.getState();
  const doc = editorStore.getState().doc;
  const { positions, routes } = await layoutGraph(live.enabled && live.host ? mergeLive(doc, live.host).merged : doc);
  uiStore.setState({ routes });
  // the document may have changed while ELK ran: only boxes that still exist move
  edit((d) => movePositions(d, positions));
  void rf;
  uiStore.getState().requestFit();
}

/** Names, interface names and addresses containing `q` → the canvas ids to select. */
export function searchIds(q: string): string[] {
  const doc = editorStore.getState().doc;
  const s = q.trim().toLowerCase();
  if (!s) return [];
  const hit = (...xs: (string | undefined)[]) => xs.some((x) => x?.toLowerCase().includes(s));
  const out = new Set<string>();
  for (const n of doc.namespaces) if (hit(n.name)) out.add(nodeId.namespace(n.name));
  for (const b of doc.bridges) if (hit(b.name, ...b.addresses)) out.add(nodeId.bridge(b.namespace, b.name));
  for (const v of doc.veths) for (const e of v.ends) if (hit(e.name, ...e.addresses)) out.add(nodeId.namespace(e.namespace));
  for (const f of doc.forwarders) if (hit(f.name, f.listen.address, f.target.address)) out.add(nodeId.forwarder(f.name));
  if (hit('host')) out.add(nodeId.namespace('host'));
  // live view: the host's objects too, by name, address, label and container (name, id, network)
  const live = liveStore.getState();
  if (live.enabled) for (const id of liveSearchIds(q, live.host, live.observed, live.labels)) out.add(id);
  return [...out];
}

export function toggleLive(backend: Backend | null): void {
  if (liveStore.getState().enabled) stopLive();
  else if (backend) startLive(backend);
  else uiStore.getState().setNotice({ kind: 'error', text: 'The live view needs the helper: no backend is connected.' });
}

export function runMenuCommand(cmd: MenuCommand, backend: Backend | null, rf?: ReactFlowInstance): void {
  switch (cmd.command) {
    case 'new':
      return unlessUnsaved('New', newDocument);
    case 'open':
      return unlessUnsaved('Open', () => void openDocument(backend));
    case 'save':
      return void saveDocument(backend);
    case 'save-as':
      return void saveDocument(backend, true);
    case 'save-and-close':
      return void saveDocument(backend).then(() => backend?.closeWindow());
    case 'export-yaml':
      return void exportAs(backend, 'yaml');
    case 'export-shell':
      return void exportAs(backend, 'shell');
    case 'export-gost':
      return void exportAs(backend, 'gost');
    case 'export-svg':
      return void exportAs(backend, 'svg');
    case 'export-png':
      return void exportAs(backend, 'png');
    case 'undo':
      return undo();
    case 'redo':
      return redo();
    case 'delete':
      return deleteSelection();
    case 'select-all':
      return selectAll();
    case 'fit':
      return uiStore.getState().requestFit();
    case 'auto-layout':
      return void runAutoLayout(rf);
    case 'toggle-live':
      return toggleLive(backend);
    case 'about':
      return uiStore.getState().setNotice({ kind: 'info', text: 'Netns Studio: draw, inspect and apply Linux network namespaces.' });
    case 'open-file': {
      const file = cmd.file;
      return unlessUnsaved('Open', () => void loadText(file.text, file.name, file.path));
    }
  }
}
