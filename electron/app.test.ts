import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EVENT_CHANNEL, REQUEST_NAMES, requestChannel } from '../shared/ipc-contract';
import { emptyTopology } from '../shared/model/schema';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startApp } from './app';
import { FakeBrowserWindow, fakeElectron } from '../testing/fake-electron';
import { APP_ORIGIN } from './security';

/** The last message box's answer, once the window has acted on it (its handler was attached first). */
const answered = (f: { rec: { messageBoxAnswers: Promise<unknown>[] } }) => f.rec.messageBoxAnswers.at(-1);

describe('desktop main process (Electron mocked)', () => {
  let dir: string;
  let f: ReturnType<typeof fakeElectron>;
  let win: FakeBrowserWindow;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nst-electron-'));
    mkdirSync(join(dir, 'renderer', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'renderer', 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(dir, 'renderer', 'assets', 'a.js'), 'x');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    f = fakeElectron();
    const started = startApp(f.electron, {
      preload: '/app/.vite/build/preload.cjs',
      rendererDir: join(dir, 'renderer'),
      createHelperLink: () => unavailableHelperLink('not root'),
      log: () => {},
    });
    await started.ready;
    win = FakeBrowserWindow.created[0];
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(f.userData, { recursive: true, force: true });
  });

  it('opens exactly one window with isolation, sandbox, no Node and web security', () => {
    assert.equal(FakeBrowserWindow.created.length, 1);
    const wp = win.options.webPreferences;
    assert.equal(wp.contextIsolation, true);
    assert.equal(wp.sandbox, true);
    assert.equal(wp.nodeIntegration, false);
    assert.equal(wp.nodeIntegrationInWorker, false);
    assert.equal(wp.nodeIntegrationInSubFrames, false);
    assert.equal(wp.webSecurity, true);
    assert.equal(wp.allowRunningInsecureContent, false);
    assert.equal(wp.webviewTag, false);
    assert.equal(wp.experimentalFeatures, false);
    assert.equal(wp.navigateOnDragDrop, false);
    assert.equal(wp.preload, '/app/.vite/build/preload.cjs');
    assert.equal(f.rec.sandboxEnabled, true, 'app.enableSandbox() for every renderer');
  });

  it('loads the app from its own secure scheme, not file://', () => {
    assert.deepEqual(win.loaded, [`${APP_ORIGIN}/index.html`]);
    const scheme = f.rec.schemes[0] as { scheme: string; privileges: Record<string, boolean> };
    assert.equal(scheme.scheme, 'app');
    assert.equal(scheme.privileges.standard, true);
    assert.equal(scheme.privileges.secure, true);
    assert.equal(scheme.privileges.bypassCSP, false);
  });

  it('sets a strict CSP on every response (session hook and app:// responses)', async () => {
    assert.equal(f.rec.headerHooks.length, 1);
    let out: any;
    f.rec.headerHooks[0]({ responseHeaders: { 'Content-Type': ['text/html'] } }, (r: unknown) => (out = r));
    const csp: string = out.responseHeaders['Content-Security-Policy'][0];
    for (const part of [
      "default-src 'none'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
      "connect-src 'self'",
    ]) {
      assert.ok(csp.split('; ').includes(part), `${part} in ${csp}`);
    }
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/);
    assert.doesNotMatch(csp, /https?:|ws:/, 'no network origins in production');

    const handler = f.rec.protocolHandlers.get('app')!;
    const res: Response = await handler(new Request(`${APP_ORIGIN}/index.html`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-security-policy'), csp);
    assert.match(await res.text(), /<title>app<\/title>/);
    for (const bad of [
      `${APP_ORIGIN}/../secret.txt`,
      `${APP_ORIGIN}/%2e%2e/secret.txt`,
      `${APP_ORIGIN}/assets/..%2f..%2fsecret.txt`,
      'app://other-host/index.html',
    ]) {
      const r: Response = await handler(new Request(bad));
      assert.equal(r.status, 404, bad);
    }
  });

  it('denies every permission request', () => {
    let granted: boolean | undefined;
    f.rec.permissionRequest!({}, 'media', (g: boolean) => (granted = g));
    assert.equal(granted, false);
    assert.equal(f.rec.permissionCheck!({}, 'notifications'), false);
  });

  it('blocks navigation, redirects, new windows and webviews', () => {
    const wc = win.webContents;
    assert.deepEqual(wc.windowOpenHandler!({ url: 'https://example.com' }), { action: 'deny' });
    assert.deepEqual(wc.windowOpenHandler!({ url: `${APP_ORIGIN}/index.html` }), { action: 'deny' });
    assert.equal(wc.fire('will-navigate', { url: 'https://evil.example/' }), true);
    assert.equal(wc.fire('will-navigate', { url: 'file:///etc/passwd' }), true);
    assert.equal(wc.fire('will-navigate', { url: `${APP_ORIGIN}/index.html` }), false, 'reload of the app itself');
    assert.equal(wc.fire('will-redirect', { url: 'https://evil.example/' }), true);
    assert.equal(wc.fire('will-attach-webview', {}), true);
  });

  it('hardens any other web contents that ever appears', () => {
    const other = new FakeBrowserWindow({}).webContents;
    f.app.fire('web-contents-created', {}, other);
    assert.deepEqual(other.windowOpenHandler!({ url: 'https://x' }), { action: 'deny' });
    assert.equal(other.fire('will-navigate', { url: 'https://evil.example/' }), true);
  });

  it('registers one handler per contract request, and each refuses foreign senders', async () => {
    assert.deepEqual([...f.rec.handlers.keys()].sort(), REQUEST_NAMES.map(requestChannel).sort());
    const foreign = [
      { senderFrame: { url: 'https://evil.example/' }, sender: { id: win.webContents.id } },
      { senderFrame: { url: 'file:///tmp/x.html' }, sender: { id: win.webContents.id } },
      { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: {} }, sender: { id: win.webContents.id } },
      { senderFrame: { url: `${APP_ORIGIN}/index.html` }, sender: { id: win.webContents.id + 1000 } },
      { senderFrame: null, sender: { id: win.webContents.id } },
    ];
    for (const name of REQUEST_NAMES) {
      const h = f.rec.handlers.get(requestChannel(name))!;
      for (const ev of foreign)
        await assert.rejects(
          Promise.resolve().then(() => h(ev, {})),
          /refused/,
          `${name} from ${JSON.stringify(ev.senderFrame)}`,
        );
    }
  });

  const trusted = () => ({ senderFrame: { url: `${APP_ORIGIN}/index.html` }, sender: { id: win.webContents.id } });

  it('answers our own frame, validating params first', async () => {
    const status = await f.rec.handlers.get(requestChannel('status'))!(trusted(), {});
    assert.equal(status.state, 'unavailable');
    const plan = await f.rec.handlers.get(requestChannel('plan'))!(trusted(), { document: emptyTopology() });
    assert.equal(plan.ok, false);
    assert.equal(plan.error.code, 'helper-unavailable');
    const bad = await f.rec.handlers.get(requestChannel('plan'))!(trusted(), { document: { kind: 'x' } });
    assert.equal(bad.ok, false);
    assert.equal(bad.error.code, 'bad-message');
    await assert.rejects(
      Promise.resolve().then(() => f.rec.handlers.get(requestChannel('status'))!(trusted(), { extra: 1 })),
      /bad-message/,
    );
    const ex = await f.rec.handlers.get(requestChannel('exportFile'))!(trusted(), { data: 'x', kind: 'exe' });
    assert.equal(ex.error.code, 'bad-message');
  });

  it('menu items send typed commands to the renderer', () => {
    const template = f.rec.menus.at(-1).template as any[];
    const labels = template.map((m) => m.label.replace('&', ''));
    assert.deepEqual(labels, ['File', 'Edit', 'View', 'Help']);
    const find = (label: string): any => {
      const walk = (items: any[]): any => {
        for (const i of items) {
          if (i.label === label) return i;
          const s = Array.isArray(i.submenu) ? walk(i.submenu) : undefined;
          if (s) return s;
        }
      };
      return walk(template);
    };
    const expect: Record<string, string> = {
      New: 'new',
      'Open…': 'open',
      Save: 'save',
      'Save As…': 'save-as',
      'Topology YAML…': 'export-yaml',
      'Shell Script…': 'export-shell',
      'GOST YAML…': 'export-gost',
      'SVG Image…': 'export-svg',
      'PNG Image…': 'export-png',
      Undo: 'undo',
      Redo: 'redo',
      Delete: 'delete',
      'Select All': 'select-all',
      'Fit to Window': 'fit',
      'Auto-layout': 'auto-layout',
      'Live View On/Off': 'toggle-live',
      'About Netns Studio': 'about',
    };
    for (const [label, command] of Object.entries(expect)) {
      const item = find(label);
      assert.ok(item, label);
      win.webContents.sent = [];
      item.click();
      assert.deepEqual(win.webContents.sent, [{ channel: EVENT_CHANNEL, payload: { event: 'menu', payload: { command } } }], label);
    }
    assert.ok(find('Open Recent'));
  });

  it('saves only to files the person chose, and remembers them as recent', async () => {
    const h = (n: string) => f.rec.handlers.get(requestChannel(n as never))!;
    const target = join(dir, 'mine.yaml');
    // a path the renderer invents is not written: the dialog is asked instead (cancelled here)
    const sneaky = await h('saveFile')(trusted(), { text: 'pwned', path: join(dir, 'secret.txt') });
    assert.deepEqual(sneaky, { ok: true, value: null });
    assert.equal(readFileSync(join(dir, 'secret.txt'), 'utf8'), 'secret');
    assert.equal((await h('openFile')(trusted(), { path: join(dir, 'secret.txt') })).ok, false);
    // chosen in the dialog: written, and later saves to it need no dialog
    f.rec.saveDialogResults.push({ canceled: false, filePath: target });
    assert.deepEqual(await h('saveFile')(trusted(), { text: 'a: 1\n', suggestedName: 'mine.yaml' }), { ok: true, value: { name: 'mine.yaml', path: target } });
    assert.deepEqual(await h('saveFile')(trusted(), { text: 'a: 2\n', path: target }), { ok: true, value: { name: 'mine.yaml', path: target } });
    assert.equal(readFileSync(target, 'utf8'), 'a: 2\n');
    assert.deepEqual(JSON.parse(readFileSync(join(f.userData, 'recent.json'), 'utf8')), [target]);
    f.rec.openDialogResults.push({ canceled: false, filePaths: [target] });
    assert.deepEqual(await h('openFile')(trusted(), {}), { ok: true, value: { name: 'mine.yaml', path: target, text: 'a: 2\n' } });
    // export: shell scripts become executable
    const script = join(dir, 'up.sh');
    f.rec.saveDialogResults.push({ canceled: false, filePath: script });
    assert.equal((await h('exportFile')(trusted(), { data: '#!/bin/sh\n', kind: 'shell' })).ok, true);
    assert.ok(readdirSync(dir).includes('up.sh'));
  });

  it('asks before closing with unsaved changes', async () => {
    const h = (n: string) => f.rec.handlers.get(requestChannel(n as never))!;
    await h('setDocumentState')(trusted(), { title: 'lab.yaml', dirty: true });
    assert.equal(win.title, '• lab.yaml — Netns Studio');
    // Cancel
    f.rec.messageBoxResponses.push(2);
    win.close();
    await answered(f);
    assert.equal(win.destroyed, false);
    assert.match(f.rec.messageBoxes.at(-1).message, /lab\.yaml/);
    // Save: the renderer is told to save, then closes the window itself
    f.rec.messageBoxResponses.push(0);
    win.webContents.sent = [];
    win.close();
    await answered(f);
    assert.equal(win.destroyed, false);
    assert.deepEqual(win.webContents.sent, [{ channel: EVENT_CHANNEL, payload: { event: 'menu', payload: { command: 'save-and-close' } } }]);
    // Don't Save
    f.rec.messageBoxResponses.push(1);
    win.close();
    await answered(f);
    assert.equal(win.destroyed, true);
  });
});
