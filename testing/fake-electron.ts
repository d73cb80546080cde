/**
 * Test support: a recording stand-in for the parts of the `electron` module that
 * ./app.ts uses (the Electron binary cannot run here). It records every option,
 * handler and header so tests can assert the security settings. Not used at run time.
 */
import { tmpdir } from 'node:os';
import type { ElectronLike } from '../electron/app';

type Listener = (...args: any[]) => any;

export class FakeEmitter {
  listeners = new Map<string, Listener[]>();
  on(event: string, fn: Listener) {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Listener) {
    return this.on(event, fn);
  }
  /** fire an event with a preventable event object; returns whether it was prevented */
  fire(event: string, details: Record<string, unknown> = {}, ...rest: unknown[]): boolean {
    let prevented = false;
    const ev = { ...details, preventDefault: () => (prevented = true) };
    for (const fn of this.listeners.get(event) ?? []) fn(ev, ...rest);
    return prevented;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends FakeEmitter {
  id = nextContentsId++;
  sent: { channel: string; payload: unknown }[] = [];
  windowOpenHandler?: (details: { url: string }) => { action: string };
  setWindowOpenHandler(fn: (details: { url: string }) => { action: string }) {
    this.windowOpenHandler = fn;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
}

export class FakeBrowserWindow extends FakeEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: string[] = [];
  title = '';
  destroyed = false;
  shown = false;
  constructor(public options: any) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    this.loaded.push(url);
    return Promise.resolve();
  }
  isDestroyed() {
    return this.destroyed;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
  show() {
    this.shown = true;
  }
  setTitle(t: string) {
    this.title = t;
  }
  close() {
    if (this.fire('close')) return;
    this.destroyed = true;
    this.fire('closed');
  }
}

export function fakeElectron() {
  FakeBrowserWindow.created = [];
  const rec = {
    handlers: new Map<string, Listener>(),
    headerHooks: [] as Listener[],
    permissionRequest: undefined as Listener | undefined,
    permissionCheck: undefined as Listener | undefined,
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, Listener>(),
    sandboxEnabled: false,
    menus: [] as any[],
    messageBoxResponses: [] as number[],
    messageBoxes: [] as any[],
    /** One promise per message box shown, settled with its answer: awaiting it runs after the code that asked has handled the answer. */
    messageBoxAnswers: [] as Promise<unknown>[],
    openDialogResults: [] as { canceled: boolean; filePaths: string[] }[],
    saveDialogResults: [] as { canceled: boolean; filePath?: string }[],
    recentDocs: [] as string[],
    quit: 0,
  };
  const app = new FakeEmitter() as FakeEmitter & Record<string, unknown>;
  const userData = `${tmpdir()}/nst-fake-electron-${process.pid}-${Date.now()}`;
  Object.assign(app, {
    whenReady: () => Promise.resolve(),
    quit: () => void rec.quit++,
    getPath: (name: string) => (name === 'userData' ? userData : tmpdir()),
    enableSandbox: () => void (rec.sandboxEnabled = true),
    requestSingleInstanceLock: () => true,
    addRecentDocument: (p: string) => void rec.recentDocs.push(p),
  });
  const electron = {
    app,
    BrowserWindow: FakeBrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: Listener) => {
        if (rec.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
        rec.handlers.set(channel, fn);
      },
      removeHandler: (channel: string) => void rec.handlers.delete(channel),
    },
    dialog: {
      showMessageBox: (_w: unknown, opts: unknown) => {
        rec.messageBoxes.push(opts);
        const answer = Promise.resolve({ response: rec.messageBoxResponses.shift() ?? 2, checkboxChecked: false });
        rec.messageBoxAnswers.push(answer);
        return answer;
      },
      showOpenDialog: async () => rec.openDialogResults.shift() ?? { canceled: true, filePaths: [] },
      showSaveDialog: async () => rec.saveDialogResults.shift() ?? { canceled: true },
    },
    Menu: {
      buildFromTemplate: (t: unknown) => ({ template: t }),
      setApplicationMenu: (m: unknown) => void rec.menus.push(m),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => void rec.schemes.push(...s),
      handle: (scheme: string, fn: Listener) => void rec.protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (fn: Listener) => void rec.headerHooks.push(fn) },
        setPermissionRequestHandler: (fn: Listener) => void (rec.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Listener) => void (rec.permissionCheck = fn),
      },
    },
  };
  return { electron: electron as unknown as ElectronLike, rec, app, userData };
}
