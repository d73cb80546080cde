/**
 * The browser Backend (renderer/backend/) in chromium against the real server:
 * the bundle loads under the strict CSP, finds its WebSocket with the token it keeps,
 * reports the helper status, returns helper failures as values, and does files as
 * downloads and a file input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'vite';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer, type RunningServer } from '../server/http-server';
import { within } from '../testing/until';
import { chromiumSkipReason, launchBrowser, type Browsing } from './harness';

const skip = chromiumSkipReason();
if (skip) console.log(`skipping backend-in-browser e2e: ${skip}`);

type Win = Window & { backend: import('../shared/backend').Backend; pending?: Promise<unknown> };

describe('browser Backend in chromium', { skip }, () => {
  let out: string;
  let srv: RunningServer;
  let b: Browsing;

  before(async () => {
    out = mkdtempSync(join(tmpdir(), 'nst-backend-page-'));
    await build({ configFile: false, root: join(import.meta.dirname, 'backend-page'), logLevel: 'silent', build: { outDir: out, emptyOutDir: true } });
    srv = await startServer({ rendererDir: out, link: unavailableHelperLink('live features need root') });
    b = await launchBrowser(undefined);
    await b.page.goto(srv.url);
    await b.page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
  });
  after(async () => {
    await b?.close();
    await srv?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('loads under the CSP without violations and gets the helper status over the socket', async () => {
    await b.page.waitForFunction(() => (window as unknown as Win).backend.status().state !== 'idle');
    const status = await b.page.evaluate(() => (window as unknown as Win).backend.status());
    assert.equal(status.state, 'unavailable');
    assert.equal(status.error?.message, 'live features need root');
    assert.equal(await b.page.evaluate(() => (window as unknown as Win).backend.kind), 'browser');
    assert.deepEqual(b.problems, []);
  });

  it('helper requests come back as typed failures', async () => {
    const r = await b.page.evaluate(() => (window as unknown as Win).backend.discover());
    assert.deepEqual(r, { ok: false, error: { code: 'helper-unavailable', message: 'live features need root' } });
    const p = await b.page.evaluate(() =>
      (window as unknown as Win).backend.plan({
        apiVersion: 'netns-studio/v1',
        kind: 'Topology',
        metadata: {},
        namespaces: [],
        bridges: [],
        veths: [],
        forwarders: [],
      }),
    );
    assert.equal(p.ok, false);
  });

  it('save and export are downloads with safe names', async () => {
    const [dl] = await Promise.all([
      b.page.waitForEvent('download'),
      b.page.evaluate(() => (window as unknown as Win).backend.saveFile('apiVersion: netns-studio/v1\n', { suggestedName: '../my lab.yaml' })),
    ]);
    assert.equal(dl.suggestedFilename(), 'my-lab.yaml');
    assert.equal(await readFile((await dl.path())!, 'utf8'), 'apiVersion: netns-studio/v1\n');
    const [png] = await Promise.all([
      b.page.waitForEvent('download'),
      b.page.evaluate(() => (window as unknown as Win).backend.exportFile(new Uint8Array([137, 80, 78, 71, 0, 255]), 'png', 'lab')),
    ]);
    assert.equal(png.suggestedFilename(), 'lab.png');
    assert.deepEqual([...(await readFile((await png.path())!))], [137, 80, 78, 71, 0, 255]);
    const [sh] = await Promise.all([
      b.page.waitForEvent('download'),
      b.page.evaluate(() => (window as unknown as Win).backend.exportFile('#!/bin/sh\n', 'shell')),
    ]);
    assert.equal(sh.suggestedFilename(), 'topology.sh');
  });

  it('open is a file input; the page gets name and text, never a path', async () => {
    const [chooser] = await Promise.all([
      b.page.waitForEvent('filechooser'),
      b.page.evaluate(() => {
        const w = window as unknown as Win;
        w.pending = w.backend.openFile();
      }),
    ]);
    await chooser.setFiles({ name: 'lab.yaml', mimeType: 'application/yaml', buffer: Buffer.from('kind: Topology\n') });
    const r = await b.page.evaluate(() => (window as unknown as Win).pending);
    assert.deepEqual(r, { ok: true, value: { name: 'lab.yaml', text: 'kind: Topology\n' } });
  });

  it('unsaved changes: the title says so and leaving asks first', async () => {
    await b.page.evaluate(() => (window as unknown as Win).backend.setDocumentState({ title: 'lab.yaml', dirty: true }));
    assert.equal(await b.page.title(), '• lab.yaml — Netns Studio');
    let asked = false;
    const dialog = new Promise<void>((resolve) =>
      b.page.once('dialog', (d) => {
        asked = d.type() === 'beforeunload';
        void d.dismiss();
        resolve();
      }),
    );
    await b.page.mouse.click(5, 5); // beforeunload prompts need a user gesture first
    await b.page.close({ runBeforeUnload: true });
    await within(dialog, 5000);
    assert.equal(asked, true);
  });
});
