/**
 * Screenshots for docs/ and the README, with the real helper (run as root):
 * `sudo npm run screenshots`. Inside a sandbox like the e2e tests:
 * scenario 04 is opened in the editor (docs/editor.png), planned by the helper
 * (docs/plan.png), applied, then shown in the live view with one link brought
 * down by hand (docs/live.png: the drift is highlighted).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { runOk } from '../testing/run';
import { kernelSkipReason, withSandbox } from '../testing/sandbox';
import { launchBrowser, ROOT, startServe, tid } from './harness';
import { openText, selectNode, waitForApp } from './ui';

const DOCS = join(ROOT, 'docs');

/** A scenario file with its namespaces renamed into the sandbox. */
function prefixed(file: string, prefix: string): string {
  const doc = parse(readFileSync(file, 'utf8'));
  const p = (n: string) => (n === 'host' ? n : `${prefix}${n}`);
  for (const ns of doc.namespaces ?? []) ns.name = p(ns.name);
  for (const v of doc.veths ?? []) for (const e of v.ends) e.namespace = p(e.namespace ?? 'host');
  for (const b of doc.bridges ?? []) b.namespace = p(b.namespace ?? 'host');
  return stringify(doc);
}

const skip = kernelSkipReason();
if (skip) {
  console.error(`cannot take the screenshots: ${skip}`);
  process.exit(1);
}

await withSandbox('', async (sb) => {
  const state = join('/tmp', `nst-shots-${process.pid}`);
  const served = await startServe(sb, [], { NETNS_STUDIO_STATE_DIR: state });
  const b = await launchBrowser(sb);
  const { page } = b;
  try {
    await page.setViewportSize({ width: 1400, height: 860 });
    await waitForApp(page, served.url);
    await page.waitForSelector(`${tid('helper-status')}[data-state="connected"]`, { timeout: 30_000 });
    await openText(page, '04-router-nat.yaml', prefixed(join(ROOT, 'fixtures/scenarios/04-router-nat/topology.yaml'), sb.prefix));
    await page.waitForSelector(tid(`node-ns:${sb.ns('ns-router')}`));
    await page.locator(tid('auto-layout')).click();
    await page.locator(tid('fit-view')).click();
    await selectNode(page, `ns:${sb.ns('ns-router')}`);
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(DOCS, 'editor.png') });
    console.log('docs/editor.png');

    await page.locator(tid('plan-button')).click();
    await page.locator(tid('apply-button')).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(DOCS, 'plan.png') });
    console.log('docs/plan.png');
    await page.locator(tid('apply-button')).click();
    await page.locator(tid('apply-done')).waitFor({ timeout: 60_000 });
    await page.locator(tid('plan-close')).click();

    await page.locator(tid('live-toggle')).click();
    await page.waitForSelector(`${tid(`port-${sb.ns('ns1')}/veth-ns1`)}[data-up="true"]`, { timeout: 10_000 });
    await runOk(['ip', '-n', sb.ns('ns2'), 'link', 'set', 'dev', 'veth-ns2', 'down']);
    await page
      .waitForSelector(`${tid(`port-${sb.ns('ns2')}/veth-ns2`)}[data-up="false"]`, { timeout: 10_000 })
      .catch(() => console.log('(the link-down did not show: watch missing?)'));
    await page.locator(tid('fit-view')).click();
    await page.waitForTimeout(400);
    await page.screenshot({ path: join(DOCS, 'live.png') });
    console.log('docs/live.png');
    if (b.problems.length) console.log('browser problems:', b.problems);
  } finally {
    await b.close();
    await served.stop();
    await runOk(['rm', '-rf', state]);
  }
});
