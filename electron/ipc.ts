/**
 * Main's side of the contract: one ipcMain.handle per request. Each handler first
 * checks the sender (our window's main frame, showing our app), then validates the
 * params with the contract's schema, then answers from the helper session or from
 * the desktop's own handlers (files, window). Nothing reaches either unchecked.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { BACKEND_ERROR } from '../shared/backend';
import type { BackendError } from '../shared/backend';
import { REQUESTS, REQUEST_NAMES, checkParams, requestChannel, type RequestName } from '../shared/ipc-contract';
import type { z } from 'zod';
import type { Session } from '../shell-core/session';

type Params<N extends RequestName> = z.output<(typeof REQUESTS)[N]['params']>;

/** Requests main answers itself (files and the window). */
export type DesktopHandlers = {
  [N in 'openFile' | 'saveFile' | 'exportFile' | 'setDocumentState' | 'closeWindow' | 'desktopTools' | 'openInWireshark']: (p: Params<N>) => Promise<unknown>;
};

export interface IpcDeps {
  isTrusted(e: IpcMainInvokeEvent): boolean;
  session: Pick<Session, 'handle'>;
  desktop: DesktopHandlers;
  log?: (line: string) => void;
}

/** A refused or invalid request: as a Result where the request returns one, else a rejected invoke. */
function refusal(name: RequestName, error: BackendError): unknown {
  const asResult = { ok: false, error };
  if (REQUESTS[name].result.safeParse(asResult).success) return asResult;
  throw new Error(`${error.code}: ${error.message}`);
}

export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, deps: IpcDeps): () => void {
  for (const name of REQUEST_NAMES) {
    ipcMain.handle(requestChannel(name), async (e, params: unknown) => {
      if (!deps.isTrusted(e)) {
        deps.log?.(`refused ${name} from ${e.senderFrame?.url ?? 'an unknown frame'}`);
        throw new Error('refused: not the app');
      }
      const checked = checkParams(name, params);
      if (!checked.ok) return refusal(name, checked.error);
      const own = (deps.desktop as Record<string, ((p: unknown) => Promise<unknown>) | undefined>)[name];
      if (own) return own(checked.value);
      const pending = deps.session.handle(name, checked.value);
      if (!pending) return refusal(name, { code: BACKEND_ERROR.unsupported, message: `${name} is not handled` });
      return pending;
    });
  }
  return () => {
    for (const name of REQUEST_NAMES) ipcMain.removeHandler(requestChannel(name));
  };
}
