/** Keyboard shortcuts on the window; typing in a field keeps the field's own keys. */
import { useEffect } from 'react';
import type { Backend } from '../shared/backend';
import { copySelection, deleteSelection, paste, selectAll } from './commands';
import { newDocument, openDocument, saveDocument, unlessUnsaved } from './files';
import { redo, undo } from './store/editor-store';
import { uiStore } from './store/ui-store';

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

/**
 * File keys (Ctrl+S/O/N) for the browser mode: without them the browser's own
 * "Save page as" / "Open file" would answer. The desktop menu's accelerators
 * send these as menu commands instead, so they are left to it there.
 */
function fileKey(k: string, backend: Backend | null): boolean {
  if (backend?.kind === 'electron') return false;
  if (k === 's') void saveDocument(backend);
  else if (k === 'o') unlessUnsaved('Open', () => void openDocument(backend));
  else if (k === 'n') unlessUnsaved('New', newDocument);
  else return false;
  return true;
}

export function useShortcuts(backend: Backend | null = null): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // a dialog is on top: Delete, Ctrl+Z… must not change the document behind it (the dialog has its own keys)
      const ui = uiStore.getState();
      if (ui.planOpen || ui.topologiesOpen || ui.unsaved) return;
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
      if (mod && !e.shiftKey && !e.altKey && fileKey(k, backend)) {
        e.preventDefault();
        return;
      }
      if (mod && k === 'f') {
        e.preventDefault();
        uiStore.setState({ searchOpen: true });
        return;
      }
      if (typing(e.target)) return;
      if (mod && k === 'z' && !e.shiftKey) undo();
      else if (mod && ((k === 'z' && e.shiftKey) || k === 'y')) redo();
      else if (mod && k === 'c') copySelection();
      else if (mod && k === 'v') paste();
      else if (mod && k === 'a') selectAll();
      else if (!mod && (e.key === 'Delete' || e.key === 'Backspace')) deleteSelection();
      else if (e.key === 'Escape') uiStore.getState().setSelection([]);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [backend]);
}
