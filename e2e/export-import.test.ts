/**
 * (c) Export YAML and a shell script from the UI, re-import the YAML: the same graph.
 * Needs no helper: the server runs without one (as the browser mode does for a
 * normal user), the browser in this process's namespace. Where the kernel allows,
 * the exported script is also run in a sandbox: it builds what scenario 03's
 * reference script builds, and its `down` removes it all.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer } from '../server/http-server';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { hostDump } from '../testing/host-dump';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { chromiumSkipReason, launchBrowser, tid, uiSkipReason } from './harness';
import { topology03, up03 } from './reference';
import { exportText, openText, waitForApp } from './ui';

const skip = chromiumSkipReason() ?? uiSkipReason();
if (skip) console.log(`skipping export/import e2e: ${skip}`);
// the UI's shell export uses the planner's exporter (shared/export/shell.ts)
const shellSkip = existsSync(join(import.meta.dirname, '..', 'shared', 'export', 'shell.ts'))
  ? undefined
  : 'the shell exporter is not built yet (shared/export/shell.ts missing)';

const nodeIds = (page: import('playwright-core').Page) =>
  page.$$eval('[data-testid^="node-"], [data-testid^="edge-"], [data-testid^="port-"]', (els) => els.map((e) => e.getAttribute('data-testid')!).sort());
const kernelSkip = kernelSkipReason() ?? shellSkip;
if (kernelSkip) console.log(`skipping running the exported shell script: ${kernelSkip}`);

describe('export and re-import in the browser', { skip }, () => {
  it('exports YAML and a shell script; re-importing the YAML gives the same graph', async () => {
    assert.ok(
      ensureRenderer(RENDERER_DIR, (l) => console.log(l)),
      'renderer builds',
    );
    const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
    const b = await launchBrowser(undefined);
    const work = mkdtempSync(join(tmpdir(), 'nst-e2e-export-'));
    try {
      await waitForApp(b.page, srv.url);
      await openText(b.page, 'lab.yaml', stringify(topology03('lab-')));
      await b.page.waitForSelector(tid('node-ns:lab-ns1'));
      const before = await nodeIds(b.page);
      assert.ok(before.includes('node-ns:lab-ns2') && before.includes('node-br:host/br0') && before.some((t) => t.startsWith('edge-veth:')), before.join(' '));

      const yaml1 = await exportText(b.page, 'yaml');
      assert.match(yaml1.name, /\.ya?ml$/);
      // Save and Export write one format: the same text
      const [saved] = await Promise.all([b.page.waitForEvent('download'), b.page.locator(tid('file-save')).click()]);
      assert.equal(await readFile((await saved.path())!, 'utf8'), yaml1.text);
      assert.match(yaml1.text, /apiVersion: netns-studio\/v1/);
      if (shellSkip) console.log(`skipping the shell-script export: ${shellSkip}`);
      else {
        const sh = await exportText(b.page, 'shell');
        assert.match(sh.name, /\.sh$/);
        assert.match(sh.text, /ip netns add/);
        assert.match(sh.text, /lab-ns1/);
      }

      // PNG at 2× the SVG's size
      const svg = await exportText(b.page, 'svg');
      const svgW = Number(/<svg [^>]*width="(\d+)"/.exec(svg.text)?.[1]);
      const svgH = Number(/<svg [^>]*height="(\d+)"/.exec(svg.text)?.[1]);
      const [png] = await Promise.all([b.page.waitForEvent('download'), b.page.locator(tid('export-png')).click()]);
      const bytes = await readFile((await png.path())!);
      assert.equal(bytes.subarray(1, 4).toString(), 'PNG');
      assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [svgW * 2, svgH * 2]);
      assert.match(svg.text, />veth1-br</, 'bridge members are drawn');

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

describe('the shell script exported from the UI, run', { skip: skip ?? kernelSkip }, () => {
  it('builds what the reference script builds, and `down` removes it', async () => {
    const reference = await withSandbox('e2eshref', async (sb) => {
      await up03(sb);
      return hostDump(sb);
    });
    const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('no helper in this test') });
    const b = await launchBrowser(undefined);
    try {
      await withSandbox('e2esh', async (sb) => {
        const empty = await hostDump(sb);
        await waitForApp(b.page, srv.newUrl());
        await openText(b.page, 'lab.yaml', stringify(topology03(sb.prefix)));
        await b.page.waitForSelector(tid(`node-ns:${sb.ns('ns1')}`));
        const sh = await exportText(b.page, 'shell');
        const up = await sb.inHost(['bash', '-s', 'up'], sh.text);
        assert.equal(up.code, 0, up.stderr);
        assert.deepEqual(await hostDump(sb), reference);
        const again = await sb.inHost(['bash', '-s', 'up'], sh.text);
        assert.equal(again.code, 0, again.stderr);
        assert.deepEqual(await hostDump(sb), reference, 'running it again changes nothing');
        const down = await sb.inHost(['bash', '-s', 'down'], sh.text);
        assert.equal(down.code, 0, down.stderr);
        assert.deepEqual(await hostDump(sb), empty);
      });
    } finally {
      await b.close();
      await srv.close();
    }
  });
});
