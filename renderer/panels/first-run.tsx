/**
 * What a new user sees on an empty canvas: three ways in instead of one lonely
 * "host" box. Inspect this host (live view on, fitted), open one of the shipped
 * examples, or start a new topology (the canvas with its hints). Shown while the
 * document is untouched and empty and the live view is off.
 */
import { useEffect, useState } from 'react';
import { useBackend } from '../backend-context';
import { toggleLive } from '../commands';
import { EXAMPLES } from '../examples';
import { loadText } from '../files';
import { editorStore, isDirty, useEditor } from '../store/editor-store';
import { uiStore } from '../store/ui-store';
import { useLive } from '../store/live-store';

export function isBlank(s: ReturnType<typeof editorStore.getState>): boolean {
  const d = s.doc;
  return !isDirty(s) && !s.fileName && d.namespaces.length === 0 && d.bridges.length === 0 && d.veths.length === 0 && d.forwarders.length === 0;
}

export function FirstRun() {
  const backend = useBackend();
  const blank = useEditor(isBlank);
  const live = useLive((s) => s.enabled);
  const [dismissed, setDismissed] = useState(false);
  const [picking, setPicking] = useState(false);
  // dragging a palette item is choosing "new topology": step aside so the drop lands on the canvas
  useEffect(() => {
    if (dismissed) return;
    const off = () => setDismissed(true);
    document.addEventListener('dragstart', off);
    return () => document.removeEventListener('dragstart', off);
  }, [dismissed]);
  if (!blank || live || dismissed) return null;
  const openExample = async (id: string) => {
    const ex = EXAMPLES.find((e) => e.id === id);
    if (!ex) return;
    if (loadText(await ex.load(), `${ex.id}.yaml`)) setDismissed(true);
  };
  return (
    <div className="first-run" data-testid="first-run" role="dialog" aria-label="get started">
      <h2>Netns Studio</h2>
      <p className="muted">Network namespaces as a graph: look at a host, or build a topology and apply it.</p>
      <div className="first-run-choices">
        <button
          type="button"
          className="primary"
          data-testid="first-run-inspect"
          disabled={!backend}
          title={backend ? 'live view of this machine’s namespaces' : 'needs the helper (desktop app or netns-studio serve)'}
          onClick={() => {
            toggleLive(backend);
            setDismissed(true);
          }}
        >
          ⌕ Inspect this host
        </button>
        <button type="button" data-testid="first-run-example" aria-expanded={picking} onClick={() => setPicking(!picking)}>
          ▤ Open an example
        </button>
        <button
          type="button"
          data-testid="first-run-new"
          onClick={() => {
            setDismissed(true);
            uiStore.getState().requestFit();
          }}
        >
          + New topology
        </button>
      </div>
      {picking && (
        <ul className="first-run-examples">
          {EXAMPLES.map((e) => (
            <li key={e.id}>
              <button type="button" data-testid={`example-${e.id}`} onClick={() => void openExample(e.id)}>
                {e.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
