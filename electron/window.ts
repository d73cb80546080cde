/**
 * The one window: hardened session and contents, the app loaded from app://
 * (or the Vite dev server), the title kept in step with the document, and the
 * unsaved-changes prompt on close. Takes the Electron parts it needs as arguments
 * so tests can pass a recording fake (the Electron binary cannot run in CI).
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Dialog, Session } from 'electron';
import type { DocumentState, MenuCommand } from '../shared/backend';
import { EVENT_CHANNEL, type EventEnvelope } from '../shared/ipc-contract';
import { APP_ORIGIN, contentSecurityPolicy, hardenSession, hardenWebContents, windowOptions } from './security';

export interface WindowParts {
  BrowserWindow: new (opts: BrowserWindowConstructorOptions) => BrowserWindow;
  session: { defaultSession: Pick<Session, 'webRequest' | 'setPermissionRequestHandler' | 'setPermissionCheckHandler'> };
  dialog: Pick<Dialog, 'showMessageBox'>;
}

export interface WindowEnv {
  preload: string;
  /** set while developing (electron-forge start) */
  devServerUrl?: string;
}

export interface MainWindow {
  win: BrowserWindow;
  csp: string;
  /** push an event to the renderer */
  emit(envelope: EventEnvelope): void;
  menu(cmd: MenuCommand): void;
  setDocumentState(s: DocumentState): void;
  /** close without asking (after the renderer saved, or the person chose Don't Save) */
  forceClose(): void;
}

export const UNSAVED_BUTTONS = ['Save', "Don't Save", 'Cancel'] as const;

export function createMainWindow(e: WindowParts, env: WindowEnv): MainWindow {
  const csp = contentSecurityPolicy(env.devServerUrl);
  hardenSession(e.session.defaultSession, csp);
  const win = new e.BrowserWindow(windowOptions(env.preload));
  hardenWebContents(win.webContents, env.devServerUrl);

  let doc: DocumentState = { title: 'Untitled', dirty: false };
  let closing = false;
  let asking = false;

  const emit = (envelope: EventEnvelope) => {
    if (!win.isDestroyed()) win.webContents.send(EVENT_CHANNEL, envelope);
  };

  win.once('ready-to-show', () => win.show());
  win.on('close', (event) => {
    if (closing || !doc.dirty) return;
    event.preventDefault();
    if (asking) return;
    asking = true;
    void e.dialog
      .showMessageBox(win, {
        type: 'warning',
        buttons: [...UNSAVED_BUTTONS],
        defaultId: 0,
        cancelId: 2,
        message: `Save the changes to ${doc.title} before closing?`,
        detail: 'Your changes are lost if you do not save them.',
      })
      .then(({ response }) => {
        asking = false;
        if (response === 0) emit({ event: 'menu', payload: { command: 'save-and-close' } });
        else if (response === 1) {
          closing = true;
          win.close();
        }
      });
  });

  if (env.devServerUrl) void win.loadURL(env.devServerUrl);
  else void win.loadURL(`${APP_ORIGIN}/index.html`);

  return {
    win,
    csp,
    emit,
    menu: (cmd) => emit({ event: 'menu', payload: cmd }),
    setDocumentState(s) {
      doc = s;
      if (!win.isDestroyed()) win.setTitle(`${s.dirty ? '• ' : ''}${s.title} — Netns Studio`);
    },
    forceClose() {
      closing = true;
      if (!win.isDestroyed()) win.close();
    },
  };
}
