/**
 * UI session state: selection, theme, level of detail, dialogs. Never saved with
 * the document (the theme alone is remembered in localStorage).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { Problem } from '../model/problems';
import type { Route } from '../model/layout';

export type Theme = 'dark' | 'light';
const THEME_KEY = 'netns-studio.theme';

function initialTheme(): Theme {
  try {
    const t = globalThis.localStorage?.getItem(THEME_KEY);
    if (t === 'dark' || t === 'light') return t;
  } catch {
    /* storage may be disabled */
  }
  return 'dark';
}

export interface UiState {
  selection: string[];
  theme: Theme;
  /** a message in the status bar (errors of open/import/export) */
  notice?: { kind: 'info' | 'error'; text: string; detail?: string[] };
  searchOpen: boolean;
  planOpen: boolean;
  /** the list of topologies applied on the host */
  topologiesOpen: boolean;
  /** New/Open asked while the document has unsaved changes: what to do once the person chose (see files.ts unlessUnsaved) */
  unsaved?: { action: string; proceed(): void };
  /** bumped to ask the canvas to fit the view (React Flow applies a fit on its next node update) */
  fit: { n: number; nodes?: string[] };
  /** new namespaces are named `${namePrefix}ns1`…: the backend's scope (serve --only-prefix), '' otherwise */
  namePrefix: string;
  /** the validator's findings on the document, located (model/problems.ts; kept by panels/problems-panel.tsx) */
  problems: Problem[];
  /** an opened file or the first live picture is being laid out (ELK runs asynchronously) */
  layingOut: boolean;
  /** the last auto-layout's orthogonal veth routes (edge id → points); an edge uses its route while its ends are where the route starts and ends */
  routes: Record<string, Route>;
  requestFit(nodes?: string[]): void;
  setSelection(ids: string[]): void;
  renameSelection(map: Record<string, string>): void;
  setTheme(t: Theme): void;
  setNotice(n: UiState['notice']): void;
}

export const uiStore = createStore<UiState>((set, get) => ({
  selection: [],
  theme: initialTheme(),
  searchOpen: false,
  planOpen: false,
  topologiesOpen: false,
  fit: { n: 0 },
  namePrefix: '',
  problems: [],
  layingOut: false,
  routes: {},
  requestFit(nodes) {
    set({ fit: { n: get().fit.n + 1, nodes } });
  },
  setSelection(ids) {
    const cur = get().selection;
    if (cur.length === ids.length && cur.every((id, i) => id === ids[i])) return;
    set({ selection: ids });
  },
  renameSelection(map) {
    set({ selection: get().selection.map((id) => map[id] ?? id) });
  },
  setTheme(theme) {
    try {
      globalThis.localStorage?.setItem(THEME_KEY, theme);
    } catch {
      /* not remembered, still applied */
    }
    set({ theme });
  },
  setNotice(notice) {
    set({ notice });
  },
}));

export const useUi = <T>(selector: (s: UiState) => T): T => useStore(uiStore, selector);
