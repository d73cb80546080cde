/**
 * (c) Export YAML and a shell script from the UI, re-import the YAML: the same graph.
 * Needs no helper: the server runs without one (as the browser mode does for a
 * normal user), the browser in this process's namespace.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { unavailableHelperLink } from '../server/helper-link';
import { startServer } from '../server/http-server';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { chromiumSkipReason, launchBrowser, tid, uiSkipReason } from './harness';
import { topology03 } from './reference';
import { exportText, openText, waitForApp } from './ui';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping export/import e2e: ${skip}`);
// the UI's shell export uses the planner's exporter (shared/export/shell.ts)
const shellSkip = existsSync(join(import.meta.dirname, '..', 'shared', 'export', 'shell.ts')) ? undefined : 'the shell exporter is not built yet (shared/export/shell.ts missing)';

const nodeIds = (page: import('playwright-core').Page) =>
  page.$$eval('[data-testid^="node-"]', (els) => els.map((e) => e.getAttribute('data-testid')!).sort());

describe('export and re-import in the browser', { skip }, () => {
  it('exports YAML and a shell script; re-importing the YAML gives the same graph', async () => {
    assert.ok(ensureRenderer(RENDERER_DIR, (l) => console.log(l)), 'renderer builds');
    const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
    const b = await launchBrowser(undefined);
    const work = mkdtempSync(join(tmpdir(), 'nst-e2e-export-'));
    try {
      await waitForApp(b.page, srv.url);
      await openText(b.page, 'lab.yaml', stringify(topology03('lab-')));
      await b.page.waitForSelector(tid('node-ns:lab-ns1'));
      const before = await nodeIds(b.page);
      assert.ok(before.includes('node-ns:lab-ns2') && before.includes('node-br:host/br0'), before.join(' '));

      const yaml1 = await exportText(b.page, 'yaml');
      assert.match(yaml1.name, /\.ya?ml$/);
      assert.match(yaml1.text, /apiVersion: netns-studio\/v1/);
      if (shellSkip) console.log(`skipping the shell-script export: ${shellSkip}`);
      else {
        const sh = await exportText(b.page, 'shell');
        assert.match(sh.name, /\.sh$/);
        assert.match(sh.text, /ip netns add/);
        assert.match(sh.text, /lab-ns1/);
      }

      await openText(b.page, yaml1.name, yaml1.text);
      await b.page.waitForSelector(tid('node-ns:lab-ns1'));
      assert.deepEqual(await nodeIds(b.page), before);
      const yaml2 = await exportText(b.page, 'yaml');
      assert.equal(yaml2.text, yaml1.text);
      assert.deepEqual(b.problems, []);
    } finally {
      await b.close();
      await srv.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
