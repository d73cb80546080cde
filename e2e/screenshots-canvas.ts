/**
 * Screenshots of the canvas for docs/ and the top of the README (browser only, no
 * helper): `npm run screenshots:canvas`. The first run
 * (docs/first-run.png), a host of 200 namespaces on one bridge, opened and
 * fitted (docs/lan-200.png), and a broken file with its problem clicked
 * (docs/problem.png).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { unavailableHelperLink } from '../shell-core/helper-link';
import { startServer } from '../server/http-server';
import { ensureRenderer, RENDERER_DIR } from '../server/serve';
import { launchBrowser, ROOT, tid } from './harness';
import { bridgeLan } from './scale-hosts';
import { openText, waitForApp } from './ui';

const DOCS = join(ROOT, 'docs');
if (!ensureRenderer(RENDERER_DIR, (l) => console.log(l))) process.exit(1);
const srv = await startServer({ rendererDir: RENDERER_DIR, link: unavailableHelperLink('screenshots: no helper') });
const b = await launchBrowser(undefined);
const { page } = b;
/** the view has settled: the same transform twice, 200 ms apart */
const settle = async () => {
  let last = '';
  for (let i = 0; i < 50; i++) {
    const t = await page.evaluate(() => document.querySelector<HTMLElement>('.react-flow__viewport')?.style.transform ?? '');
    // the level of detail and the overview bitmap follow 150 ms after the view stops
    if (t === last) return page.waitForTimeout(600);
    last = t;
    await page.waitForTimeout(200);
  }
};
try {
  await page.setViewportSize({ width: 1400, height: 860 });
  await waitForApp(page, srv.url);
  await page.locator(tid('first-run')).waitFor();
  await page.locator(tid('first-run-example')).click();
  await page.screenshot({ path: join(DOCS, 'first-run.png') });
  console.log('docs/first-run.png');

  await openText(page, 'lan-200.yaml', stringify(bridgeLan(200)));
  await page.waitForFunction(
    () => (JSON.parse(document.querySelector<HTMLElement>('[data-testid="overview-layer"]')?.dataset.labels ?? '[]') as unknown[]).length === 201,
  );
  await settle();
  await page
    .locator(tid('notice-dismiss'))
    .click()
    .catch(() => {});
  await page.screenshot({ path: join(DOCS, 'lan-200.png') });
  console.log('docs/lan-200.png');

  await openText(page, 'duplicate-namespace.yaml', readFileSync(join(ROOT, 'fixtures/invalid/duplicate-namespace.yaml'), 'utf8'));
  await page.locator(tid('problem')).first().click();
  await page.waitForSelector(`${tid('node-ns:ns1~2')}.selected`);
  await settle();
  await page.screenshot({ path: join(DOCS, 'problem.png') });
  console.log('docs/problem.png');
  if (b.problems.length) console.log('browser problems:', b.problems);
} finally {
  await b.close();
  await srv.close();
}
