/**
 * The document check of plan/apply/destroy (schema + semantic rules) on a worker
 * thread, so a large or hostile document never holds the helper's event loop:
 * watch events and other clients' requests are answered while it runs (issue 15).
 *
 * The worker is the helper's own entry file started again as a thread (main.ts
 * turns into `serveChecks` there), so the packaged helper needs no second bundle.
 * It starts on the first check, and stops when idle so a watching helper pays
 * nothing for it. Where no entry was given (in-process callers: the CLI, tests),
 * documents are checked inline.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, parentPort } from 'node:worker_threads';
import type { Topology } from '../../shared/model/schema';
import { ApplyFailure, type Failure } from './failure';
import { checkDocument, markChecked } from './pipeline';

/** what `workerData.role` says in the thread */
export const CHECK_WORKER_ROLE = 'netns-studio-check';
const IDLE_MS = 10_000;

type Reply = { id: number; doc: Topology } | { id: number; failure: Failure } | { id: number; error: string };

let entry: string | undefined;
let worker: Worker | undefined;
let idle: NodeJS.Timeout | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (d: Topology) => void; reject: (e: Error) => void }>();

/** Check documents on a thread running `file` (the helper's entry: main.ts through tsx, or the bundle). */
export function useCheckWorker(file: string): void {
  entry = file;
}

/** tsx's ESM API (its `import` export; createRequire would give the CommonJS one) */
function tsxEsmApi(): string {
  const pkg = createRequire(import.meta.url).resolve('tsx/package.json');
  return pathToFileURL(join(dirname(pkg), 'dist', 'esm', 'api', 'index.mjs')).href;
}

function start(file: string): Worker {
  const data = { workerData: { role: CHECK_WORKER_ROLE } };
  // Node 20 does not hand `--import tsx` to threads: register tsx first, then load the entry
  const w = file.endsWith('.ts')
    ? new Worker(`import(${JSON.stringify(tsxEsmApi())}).then((m) => { m.register(); return import(${JSON.stringify(new URL(`file://${file}`).href)}); })`, {
        ...data,
        eval: true,
      })
    : new Worker(file, data);
  w.unref();
  w.on('message', (r: Reply) => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if ('doc' in r) p.resolve(markChecked(r.doc));
    else if ('failure' in r) p.reject(new ApplyFailure(r.failure));
    else p.reject(new Error(r.error));
    if (!pending.size) idleLater();
  });
  const gone = (e: Error) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('error', gone);
  w.on('exit', (code) => gone(new Error(`the document check thread exited (${code})`)));
  return w;
}

function idleLater() {
  clearTimeout(idle);
  idle = setTimeout(() => {
    if (pending.size || !worker) return;
    void worker.terminate();
    worker = undefined;
  }, IDLE_MS);
  idle.unref();
}

/** `checkDocument`, off the event loop when a worker entry is set. */
export function checkDocumentOffThread(document: unknown): Promise<Topology> {
  if (!entry) {
    try {
      return Promise.resolve(markChecked(checkDocument(document)));
    } catch (e) {
      return Promise.reject(e);
    }
  }
  clearTimeout(idle);
  worker ??= start(entry);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage({ id, document });
  });
}

/** The thread's side: check each document it is sent. */
export function serveChecks(): void {
  parentPort!.on('message', ({ id, document }: { id: number; document: unknown }) => {
    let reply: Reply;
    try {
      reply = { id, doc: checkDocument(document) };
    } catch (e) {
      reply = e instanceof ApplyFailure ? { id, failure: e.failure } : { id, error: (e as Error)?.message ?? String(e) };
    }
    parentPort!.postMessage(reply);
  });
}
