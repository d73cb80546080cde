/**
 * Every security setting of the desktop app in one place, so tests can assert each
 * (Electron's security checklist): isolated, sandboxed renderer without Node; a
 * strict CSP; the app served from its own `app://` scheme (not file://); no
 * navigation, no new windows, no webviews, no permissions; IPC only from our frame.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents, WebPreferences } from 'electron';

/** The app's own scheme and host: `app://netns-studio/index.html`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'netns-studio';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Registered before `ready` as a standard, secure scheme (so 'self', fetch and storage work like https). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, corsEnabled: false, bypassCSP: false },
} as const;

export function webPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

export function windowOptions(preload: string): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 800,
    minHeight: 500,
    title: 'Netns Studio',
    show: false,
    backgroundColor: '#1e1e1e',
    webPreferences: webPreferences(preload),
  };
}

/**
 * The CSP of the app. Production: only our own scripts (no inline, no eval), no
 * network at all (the renderer talks to main over IPC only). Development (Vite dev
 * server with hot reload) needs the dev server's origin and its WebSocket.
 */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const dev = devServerUrl ? new URL(devServerUrl) : undefined;
  const devSrc = dev ? ` ${dev.origin}` : '';
  const devWs = dev ? ` ws://${dev.host}` : '';
  return [
    "default-src 'none'",
    // Vite's React refresh preamble is an inline script: allowed in development only
    `script-src 'self'${dev ? `${devSrc} 'unsafe-inline'` : ''}`,
    // React Flow positions nodes with style attributes
    `style-src 'self' 'unsafe-inline'${devSrc}`,
    `img-src 'self' data: blob:${devSrc}`,
    `font-src 'self' data:${devSrc}`,
    `connect-src 'self'${devSrc}${devWs}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Is `url` a page of this app (the only frames allowed to call IPC)? */
export function isAppUrl(url: string | undefined, devServerUrl?: string): boolean {
  if (!url) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true;
  if (devServerUrl) {
    const dev = new URL(devServerUrl);
    return u.origin === dev.origin;
  }
  return false;
}

/** The part of an IPC event that tells who sent it. */
export interface IpcSenderInfo {
  senderFrame?: { url: string; parent?: unknown } | null;
  sender?: { id: number };
}

/**
 * Every IPC handler asks this first: the message must come from the main frame of
 * our window, showing our app. A page that somehow got into a frame, or a
 * navigated window, is refused.
 */
export function isTrustedSender(e: IpcSenderInfo, windowContentsId: number | undefined, devServerUrl?: string): boolean {
  const frame = e.senderFrame;
  if (!frame || frame.parent) return false;
  if (windowContentsId !== undefined && e.sender?.id !== windowContentsId) return false;
  return isAppUrl(frame.url, devServerUrl);
}

type ContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** No navigation away from the app, no new windows, no webviews. */
export function hardenWebContents(contents: ContentsLike, devServerUrl?: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => {
    // reloads of the app itself are fine; anything else stays out
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, devServerUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

type SessionLike = {
  webRequest: Pick<Session['webRequest'], 'onHeadersReceived'>;
} & Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>;

/** CSP on every response of the session, and no permission (camera, notifications…) ever. */
export function hardenSession(session: SessionLike, csp: string): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [csp],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
