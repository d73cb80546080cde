/** The top bar: file, edit and view commands, live view, plan, theme, helper status. */
import { useReactFlow } from '@xyflow/react';
import type { ExportKind } from '../../shared/backend';
import { useBackend, useHelperStatus } from '../backend-context';
import { deleteSelection, runAutoLayout, toggleLive } from '../commands';
import { exportAs, newDocument, openDocument, saveDocument, unlessUnsaved } from '../files';
import { isDirty, redo, undo, useEditor } from '../store/editor-store';
import { uiStore, useUi } from '../store/ui-store';
import { useLive } from '../store/live-store';
import { adoptFromHost, setAllNamespaces } from '../live-controller';

/** The export buttons: kind, accessible label, button text. */
const EXPORT_BUTTONS: [ExportKind, string, string][] = [
  ['yaml', 'Export topology YAML', 'YAML'],
  ['shell', 'Export shell script', 'Shell'],
  ['gost', 'Export GOST YAML', 'GOST'],
  ['svg', 'Export SVG image', 'SVG'],
  ['png', 'Export PNG image', 'PNG'],
];

function Btn({
  id,
  label,
  onClick,
  disabled,
  pressed,
  children,
}: {
  id: string;
  label: string;
  onClick(): void;
  disabled?: boolean;
  pressed?: boolean;
  children?: React.ReactNode;
}) {
  return (
    <button type="button" data-testid={id} aria-label={label} title={label} onClick={onClick} disabled={disabled} aria-pressed={pressed}>
      {children ?? label}
    </button>
  );
}

export function HelperStatusBadge() {
  const backend = useBackend();
  const status = useHelperStatus();
  if (!backend || !status)
    return (
      <span className="helper-status off" data-testid="helper-status" data-state="none" title="No backend: editing and files only">
        ● offline editor
      </span>
    );
  const who = status.uid === undefined ? '' : status.uid === 0 || status.root ? ' as root' : ` as uid ${status.uid}`;
  const text =
    status.state === 'connected'
      ? `helper connected${who}`
      : status.state === 'connecting'
        ? 'connecting…'
        : status.state === 'idle'
          ? 'helper not started'
          : `helper ${status.state}`;
  return (
    <span
      className={`helper-status ${status.state}`}
      data-testid="helper-status"
      data-state={status.state}
      data-scope={status.namePrefix}
      title={status.error?.message ?? (status.namePrefix ? `${text}; sees and names only namespaces starting with ${status.namePrefix}` : text)}
    >
      ● {text}
      {status.namePrefix && <span className="scope">scope {status.namePrefix}…</span>}
      {(status.state === 'failed' || status.state === 'idle' || status.state === 'unavailable') && status.canRetry && (
        <button type="button" data-testid="helper-retry" aria-label="connect to the helper" onClick={() => void backend.connect()}>
          {status.state === 'idle' ? 'Connect' : 'Retry'}
        </button>
      )}
    </span>
  );
}

export function Toolbar() {
  const backend = useBackend();
  const rf = useReactFlow();
  const canUndo = useEditor((s) => s.past.length > 0);
  const canRedo = useEditor((s) => s.future.length > 0);
  const dirty = useEditor(isDirty);
  const fileName = useEditor((s) => s.fileName);
  const hasSel = useUi((s) => s.selection.length > 0);
  const theme = useUi((s) => s.theme);
  const live = useLive((s) => s.enabled);
  const liveLoading = useLive((s) => s.loading);
  const allNs = useLive((s) => s.allNamespaces);
  const exp = (k: ExportKind) => () => void exportAs(backend, k);
  return (
    <header className="toolbar" role="toolbar" aria-label="toolbar">
      <span className="brand">Netns Studio</span>
      <span className="file-name" data-testid="file-name">
        {dirty ? '• ' : ''}
        {fileName ?? 'untitled'}
      </span>
      <div className="group">
        <Btn id="file-new" label="New" onClick={() => unlessUnsaved('New', newDocument)} />
        <Btn id="file-open" label="Open…" onClick={() => unlessUnsaved('Open', () => void openDocument(backend))} />
        <Btn id="file-save" label="Save" onClick={() => void saveDocument(backend)} />
      </div>
      {/* exports stay one click away (no menu to open first) */}
      <div className="group" role="group" aria-label="export">
        <span className="group-label">Export</span>
        {EXPORT_BUTTONS.map(([kind, label, text]) => (
          <Btn key={kind} id={`export-${kind}`} label={label} onClick={exp(kind)}>
            {text}
          </Btn>
        ))}
      </div>
      <div className="group">
        <Btn id="undo" label="Undo" onClick={undo} disabled={!canUndo}>
          ↶
        </Btn>
        <Btn id="redo" label="Redo" onClick={redo} disabled={!canRedo}>
          ↷
        </Btn>
        <Btn id="delete" label="Delete" onClick={deleteSelection} disabled={!hasSel}>
          ✕
        </Btn>
      </div>
      <div className="group">
        <Btn id="fit-view" label="Fit view" onClick={() => uiStore.getState().requestFit()}>
          ⤢
        </Btn>
        <Btn id="auto-layout" label="Auto-layout" onClick={() => void runAutoLayout(rf)}>
          Layout
        </Btn>
        <Btn id="search-open" label="Search (Ctrl+F)" onClick={() => uiStore.setState({ searchOpen: true })}>
          Find
        </Btn>
      </div>
      <div className="group">
        <Btn id="live-toggle" label="Live view" pressed={live} onClick={() => toggleLive(backend)}>
          {live ? (liveLoading ? 'Live…' : 'Live ●') : 'Live'}
        </Btn>
        {live && (
          <Btn
            id="live-all-namespaces"
            label={allNs ? 'Showing every namespace: show the named ones only' : 'Showing named namespaces: show every namespace (containers…)'}
            pressed={allNs}
            onClick={() => setAllNamespaces(!allNs)}
          >
            {allNs ? 'All ns' : 'Named ns'}
          </Btn>
        )}
        {live && (
          <Btn
            id="live-adopt-all"
            label="Adopt everything on the host (containers and other unnamed namespaces as external references)"
            onClick={() => adoptFromHost([], 'all')}
          >
            Adopt all
          </Btn>
        )}
        <Btn id="plan-button" label="Plan and apply" onClick={() => uiStore.setState({ planOpen: true })}>
          Plan…
        </Btn>
        <Btn id="topologies-button" label="Topologies applied on this host" onClick={() => uiStore.setState({ topologiesOpen: true })}>
          Applied…
        </Btn>
      </div>
      <span className="spacer" />
      <HelperStatusBadge />
      <Btn
        id="theme-toggle"
        label={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`}
        onClick={() => uiStore.getState().setTheme(theme === 'dark' ? 'light' : 'dark')}
      >
        {theme === 'dark' ? '☀' : '☾'}
      </Btn>
    </header>
  );
}
