/**
 * The helper's second part: every method (./methods/index.ts), their schemas and
 * all they run. ./main.ts answers a client's first hello without it and loads it
 * for the first other request (./methods-loader.ts); from a bundle it is its own
 * file, helper-methods.cjs (../scripts/build.mjs). It is also the thread that
 * checks documents (./apply/check-worker.ts), which runs this file again.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';
import { CHECK_WORKER_ROLE, serveChecks, useCheckWorker } from './apply/check-worker';
import { dispatcher } from './dispatch';
import { recoverOnStart } from './methods/apply';
import { METHODS } from './methods/index';
import type { Dispatch } from './server';

/** What ./methods-loader.ts hands the entry. */
export interface MethodsPart {
  /** recover an interrupted apply first, then the dispatcher of every method */
  startMethods(log: (line: string) => void): Promise<Dispatch>;
}

/**
 * A helper killed mid-apply left a journal: roll its steps back before serving
 * anything that reads or changes the host, so no request ever sees (or plans
 * against) a half-applied host. A failure here is logged, not fatal: apply then
 * refuses with `journal-pending`.
 */
async function recoverFirst(log: (line: string) => void): Promise<void> {
  try {
    const rep = await recoverOnStart();
    if (rep)
      log(
        `recovered an interrupted ${rep.kind} (${rep.journal}): ${rep.outcome}, ${rep.steps} steps${rep.errors.length ? `, ${rep.errors.length} errors: ${JSON.stringify(rep.errors)}` : ''}`,
      );
  } catch (e) {
    log(`could not recover an interrupted apply: ${(e as Error).message}`);
  }
}

export async function startMethods(log: (line: string) => void): Promise<Dispatch> {
  // documents are checked on a thread running this same file (see the end of it)
  useCheckWorker(fileURLToPath(import.meta.url));
  await recoverFirst(log);
  return dispatcher(METHODS);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === CHECK_WORKER_ROLE) serveChecks();
