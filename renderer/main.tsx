/**
 * Entry point: choose the backend, mount the app. `?bench=N` loads a synthetic host for bench/canvas.ts;
 * `?bench=graph&baseline=1` is plain React Flow drawing the graph a bench handed in (bench/canvas-live.ts),
 * `?bench-flow=1` the whole app with its React Flow instance handed to that bench.
 */
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './styles.css';
import { App } from './app';
import { BackendProvider, chooseBackend } from './backend-context';
import { replaceDocument } from './store/editor-store';
import { syntheticTopology } from './model/synthetic';
import { installBenchHooks } from './bench-hooks';
import { mountBaseline } from './bench-baseline';

const params = new URLSearchParams(location.search);
const bench = params.get('bench');
if (bench && params.has('baseline')) {
  mountBaseline(bench === 'graph' ? 'graph' : Number(bench));
} else {
  if (bench) {
    replaceDocument(syntheticTopology(Number(bench)));
    installBenchHooks();
  }
  createRoot(document.getElementById('root')!).render(
    <BackendProvider backend={chooseBackend(params)}>
      <App bench={!!bench} benchChrome={params.has('chrome')} benchFlow={params.has('bench-flow')} />
    </BackendProvider>,
  );
}
