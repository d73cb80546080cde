/** Entry point: choose the backend, mount the app. `?bench=N` loads a synthetic host for bench/canvas.ts. */
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
  mountBaseline(Number(bench));
} else {
  if (bench) {
    replaceDocument(syntheticTopology(Number(bench)));
    installBenchHooks();
  }
  createRoot(document.getElementById('root')!).render(
    <BackendProvider backend={chooseBackend(params)}>
      <App bench={!!bench} benchChrome={params.has('chrome')} />
    </BackendProvider>,
  );
}
