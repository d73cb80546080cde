/**
 * The main process, wired: app:// scheme, sandbox for every renderer, one window,
 * the menu, the IPC handlers and the helper session. `startApp` takes the Electron
 * module as an argument (tests pass a recording fake; main.ts the real one).
 */
import type { App, Dialog, IpcMain, Menu, MenuItemConstructorOptions, Protocol } from 'electron';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HelperLink } from '../shell-core/helper-link';
import { createSession } from '../shell-core/session';
import { openInWireshark, wiresharkPath } from './wireshark';
import { APP_SCHEME_PRIVILEGES, contentSecurityPolicy, hardenWebContents, isTrustedSender } from './security';
import { serveAppProtocol } from './app-protocol';
import { createFileOps, MAX_RECENT } from './files';
import { registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { createMainWindow, type MainWindow, type WindowParts } from './window';

export interface ElectronLike extends WindowParts {
  app: Pick<App, 'whenReady' | 'on' | 'quit' | 'getPath' | 'enableSandbox' | 'requestSingleInstanceLock' | 'addRecentDocument'>;
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog' | 'showMessageBox'>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu; setApplicationMenu(menu: Menu | null): void };
  protocol: Pick<Protocol, 'handle' | 'registerSchemesAsPrivileged'>;
}

export interface AppEnv {
  preload: string;
  rendererDir: string;
  devServerUrl?: string;
  /** how to reach the helper (root: directly; else elevated on first need) */
  createHelperLink(): HelperLink;
  log?: (line: string) => void;
}

function loadRecent(file: string): string[] {
  try {
    const v = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export interface StartedApp {
  ready: Promise<MainWindow | undefined>;
}

export function startApp(e: ElectronLike, env: AppEnv): StartedApp {
  const log = env.log ?? ((l: string) => console.error(`netns-studio: ${l}`));
  // before ready: our scheme is standard and secure; every renderer is sandboxed
  e.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  e.app.enableSandbox();
  if (!e.app.requestSingleInstanceLock()) {
    e.app.quit();
    return { ready: Promise.resolve(undefined) };
  }
  // any web contents at all (should another ever appear) gets the same limits
  e.app.on('web-contents-created', (_ev, contents) => hardenWebContents(contents, env.devServerUrl));

  const link = env.createHelperLink();
  let main: MainWindow | undefined;

  e.app.on('second-instance', () => {
    if (main && !main.win.isDestroyed()) {
      if (main.win.isMinimized()) main.win.restore();
      main.win.focus();
    }
  });
  e.app.on('window-all-closed', () => e.app.quit());
  e.app.on('will-quit', () => void link.close());

  const ready = e.app.whenReady().then(() => {
    const recentFile = join(e.app.getPath('userData'), 'recent.json');
    let recent = loadRecent(recentFile);

    const csp = contentSecurityPolicy(env.devServerUrl);
    serveAppProtocol(e.protocol, env.rendererDir, csp);
    main = createMainWindow(e, { preload: env.preload, devServerUrl: env.devServerUrl });
    const m = main;

    const files = createFileOps({
      dialog: e.dialog,
      window: () => (m.win.isDestroyed() ? undefined : m.win),
      recent: () => recent,
      onRecent: (paths) => {
        recent = paths;
        try {
          mkdirSync(dirname(recentFile), { recursive: true });
          writeFileSync(recentFile, JSON.stringify(paths));
        } catch (err) {
          log(`cannot save the recent files list: ${(err as Error).message}`);
        }
        if (paths[0]) e.app.addRecentDocument(paths[0]);
        setMenu();
      },
      defaultDir: () => e.app.getPath('documents'),
    });

    function setMenu() {
      e.Menu.setApplicationMenu(
        e.Menu.buildFromTemplate(
          menuTemplate({
            send: (cmd) => m.menu(cmd),
            recent,
            openRecent: (path) =>
              void files.readRecent(path).then((r) => {
                if (r.ok) m.menu({ command: 'open-file', file: r.value });
                else void e.dialog.showMessageBox(m.win, { type: 'error', message: r.error.message });
              }),
            clearRecent: () => {
              recent = [];
              try {
                writeFileSync(recentFile, '[]');
              } catch {
                /* the list is only a convenience */
              }
              setMenu();
            },
            dev: !!env.devServerUrl,
          }),
        ),
      );
    }
    setMenu();

    const session = createSession(link, (event, payload) => m.emit({ event, payload } as never));
    registerIpc(e.ipcMain, {
      isTrusted: (ev) => isTrustedSender(ev, m.win.isDestroyed() ? undefined : m.win.webContents.id, env.devServerUrl),
      session,
      log,
      desktop: {
        openFile: (p) => files.openFile(p),
        saveFile: (p) => files.saveFile(p),
        exportFile: (p) => files.exportFile(p),
        setDocumentState: async (s) => {
          m.setDocumentState(s);
          return null;
        },
        closeWindow: async () => {
          m.forceClose();
          return null;
        },
        desktopTools: async () => ({ wireshark: !!wiresharkPath() }),
        openInWireshark: async (p) => openInWireshark(p.data),
      },
    });
    m.win.on('closed', () => session.close());
    return m;
  });
  return { ready };
}
