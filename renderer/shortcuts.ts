/** Keyboard shortcuts on the window; typing in a field keeps the field's own keys. */
import { useEffect } from 'react';
import { copySelection, deleteSelection, paste, selectAll } from './commands';
import { redo, undo } from './store/editor-store';
import { uiStore } from './store/ui-store';

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);

export function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      const k = e.key.toLowerCase();
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
  }, []);
}
