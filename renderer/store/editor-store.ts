/**
 * The document store: the topology being edited (single source of truth for the
 * canvas), its undo/redo history and the file it came from. UI session state
 * (selection, theme) lives in ./ui-store.ts and host state in ./live-store.ts:
 * the three scopes never mix.
 *
 * History keeps whole documents (edits share structure, so this is cheap).
 * Edits with the same `coalesce` key within COALESCE_MS (a drag, typing in one
 * field) merge into one undo step.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { emptyTopology } from '../../shared/model/schema';
import type { Topology } from '../../shared/model/schema';
import type { EditResult } from '../model/edits';
import { uiStore } from './ui-store';

export const COALESCE_MS = 1000;
export const HISTORY_LIMIT = 200;

export interface EditorState {
  doc: Topology;
  past: Topology[];
  future: Topology[];
  /** what the last edit may merge with */
  lastEdit?: { key: string; at: number };
  /** a save writes the document as it was at this revision */
  savedDoc: Topology;
  fileName?: string;
  filePath?: string;
}

export interface EditOptions {
  /** merge with the previous edit of the same key (drags, typing) */
  coalesce?: string;
  now?: number;
}

export const editorStore = createStore<EditorState>(() => {
  const doc = emptyTopology();
  return { doc, past: [], future: [], savedDoc: doc };
});

export const useEditor = <T>(selector: (s: EditorState) => T): T => useStore(editorStore, selector);

/** Apply an edit (a pure function from ../model/edits) as one undoable step. */
export function edit(fn: (doc: Topology) => EditResult | Topology, opts: EditOptions = {}): EditResult {
  const s = editorStore.getState();
  const out = fn(s.doc);
  const result: EditResult = 'apiVersion' in out ? { doc: out } : out;
  if (result.doc === s.doc) return result;
  const now = opts.now ?? Date.now();
  const merge = opts.coalesce !== undefined && s.lastEdit?.key === opts.coalesce && now - s.lastEdit.at < COALESCE_MS;
  const past = merge ? s.past : [...s.past, s.doc].slice(-HISTORY_LIMIT);
  editorStore.setState({ doc: result.doc, past, future: [], lastEdit: opts.coalesce !== undefined ? { key: opts.coalesce, at: now } : undefined });
  if (result.renamed) uiStore.getState().renameSelection(result.renamed);
  if (result.select) uiStore.getState().setSelection(result.select);
  return result;
}

export function undo(): void {
  const s = editorStore.getState();
  const prev = s.past[s.past.length - 1];
  if (!prev) return;
  editorStore.setState({ doc: prev, past: s.past.slice(0, -1), future: [s.doc, ...s.future], lastEdit: undefined });
  // what was selected may not exist in the restored document: never leave a stale "4 objects selected"
  uiStore.getState().setSelection([]);
}

export function redo(): void {
  const s = editorStore.getState();
  const next = s.future[0];
  if (!next) return;
  editorStore.setState({ doc: next, past: [...s.past, s.doc], future: s.future.slice(1), lastEdit: undefined });
  uiStore.getState().setSelection([]);
}

/** A new or opened document: history starts over. */
export function replaceDocument(doc: Topology, file?: { name?: string; path?: string }): void {
  editorStore.setState({ doc, past: [], future: [], lastEdit: undefined, savedDoc: doc, fileName: file?.name, filePath: file?.path });
  uiStore.getState().setSelection([]);
}

export function markSaved(file?: { name?: string; path?: string }): void {
  const s = editorStore.getState();
  editorStore.setState({ savedDoc: s.doc, fileName: file?.name ?? s.fileName, filePath: file?.path ?? s.filePath });
}

export const isDirty = (s: EditorState) => s.doc !== s.savedDoc;
