/** The editor: toolbar, palette, canvas, inspector, plan dialog, status bar. */
import { PortMenu } from './panels/port-menu';
import { CapturePanel } from './panels/capture-panel';
import { TerminalPanels } from './panels/terminal-panel';
import { ImpairPanel } from './panels/impair-panel';
import { useEffect } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useBackend, useHelperStatus } from './backend-context';
import { Canvas } from './canvas/canvas';
import { Inspector } from './panels/inspector';
import { Palette } from './panels/palette';
import { PlanDialog } from './panels/plan-dialog';
import { ReachPanel } from './panels/reach-panel';
import { TopologiesDialog } from './panels/topologies-dialog';
import { SearchBox } from './panels/search';
import { ProblemsBridge, ProblemsPanel } from './panels/problems-panel';
import { FirstRun } from './panels/first-run';
import { Toolbar } from './panels/toolbar';
import { UnsavedDialog } from './panels/unsaved-dialog';
import { runMenuCommand } from './commands';
import { useShortcuts } from './shortcuts';
import { setBenchFlow } from './bench-hooks';
import { editorStore, isDirty } from './store/editor-store';
import { uiStore, useUi } from './store/ui-store';
import { useLive } from './store/live-store';

function StatusBar() {
  const notice = useUi((s) => s.notice);
  const liveError = useLive((s) => (s.enabled ? s.error : undefined));
  return (
    <footer className="statusbar" role="status" data-testid="status-bar">
      {liveError && (
        <span className="error" data-testid="live-error">
          live view: {liveError}
        </span>
      )}
      {notice && (
        <span className={notice.kind} data-testid={notice.kind === 'error' ? 'notice-error' : 'notice'}>
          {notice.text}
          {notice.detail?.length ? (
            <ul className="notice-detail" data-testid="notice-detail">
              {notice.detail.slice(0, 20).map((d, i) => (
                <li key={i}>{d}</li>
              ))}
            </ul>
          ) : null}
          <button type="button" aria-label="dismiss" data-testid="notice-dismiss" onClick={() => uiStore.getState().setNotice(undefined)}>
            ✕
          </button>
        </span>
      )}
    </footer>
  );
}

/** Wires the shell: menu commands in, title/dirty state out. */
function BenchBridge() {
  const rf = useReactFlow();
  useEffect(() => setBenchFlow(rf), [rf]);
  return null;
}

/** The backend's scope names new namespaces (serve --only-prefix). */
function NamePrefixBridge() {
  const prefix = useHelperStatus()?.namePrefix ?? '';
  useEffect(() => uiStore.setState({ namePrefix: prefix }), [prefix]);
  return null;
}

function ShellBridge() {
  const backend = useBackend();
  const rf = useReactFlow();
  useEffect(() => backend?.onMenuCommand((cmd) => runMenuCommand(cmd, backend, rf)), [backend, rf]);
  useEffect(() => {
    if (!backend) return;
    let last = '';
    const push = () => {
      const s = editorStore.getState();
      const state = { title: s.fileName ?? s.doc.metadata.name ?? 'untitled', dirty: isDirty(s), path: s.filePath };
      const key = JSON.stringify(state);
      if (key !== last) {
        last = key;
        backend.setDocumentState(state);
      }
    };
    push();
    return editorStore.subscribe(push);
  }, [backend]);
  return null;
}

/**
 * benchChrome: the bench also draws the canvas's dot grid and minimap, which a person always has.
 * benchFlow: the whole app, with the React Flow instance and the drawn graph handed to a bench (bench/canvas-live.ts).
 */
export function App({ bench = false, benchChrome = false, benchFlow = false }: { bench?: boolean; benchChrome?: boolean; benchFlow?: boolean }) {
  const theme = useUi((s) => s.theme);
  const backend = useBackend();
  useShortcuts(bench ? null : backend);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  return (
    <ReactFlowProvider>
      <div className={`app theme-${theme}`} data-testid="app-ready">
        {!bench && <Toolbar />}
        <div className="main">
          {!bench && <Palette />}
          <div className="canvas-wrap">
            <Canvas bench={bench} chrome={!bench || benchChrome} />
            <SearchBox />
            {!bench && <ReachPanel />}
            {!bench && <ProblemsPanel />}
            {!bench && <FirstRun />}
            {!bench && <CapturePanel />}
            {!bench && <ImpairPanel />}
            {!bench && <TerminalPanels />}
          </div>
          {!bench && <Inspector />}
        </div>
        {!bench && <StatusBar />}
        {!bench && <PortMenu />}
        <PlanDialog />
        <TopologiesDialog />
        {!bench && <UnsavedDialog />}
        <ShellBridge />
        <NamePrefixBridge />
        {!bench && <ProblemsBridge />}
        {(bench || benchFlow) && <BenchBridge />}
      </div>
    </ReactFlowProvider>
  );
}
