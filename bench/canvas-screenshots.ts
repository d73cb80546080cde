/**
 * Screenshots for the README (docs/editor.png, docs/editor-light.png, docs/overview.png):
 * the production build with no backend, a small topology built through the UI.
 * Run: node --import tsx bench/canvas-screenshots.ts
 */
import { resolve } from 'node:path';
import { launchChromium } from '../testing/chromium';
import { serveStatic } from '../testing/static-server';

const DOCS = resolve(import.meta.dirname, '..', 'docs');

const server = await serveStatic();
const b = await launchChromium({ width: 1400, height: 860 });
try {
  const page = await b.context.newPage();
  page.on('console', (m) => m.type() === 'error' && console.log('console error:', m.text()));
  page.on('pageerror', (e) => console.log('page error:', String(e)));
  await page.goto(`${server.url}?backend=none`);
  await page.waitForSelector('[data-testid="app-ready"]');
  const tid = (id: string) => `[data-testid="${id}"]`;
  const set = async (field: string, value: string) => {
    await page.locator(tid(`inspector-${field}`)).fill(value);
    await page.locator(tid(`inspector-${field}`)).press('Enter');
  };
  await page.locator(tid('palette-bridge')).dragTo(page.locator(tid('canvas')), { targetPosition: { x: 200, y: 200 } });
  await set('addresses', '192.168.0.1/24');
  for (const i of [1, 2]) {
    await page.locator(tid('palette-namespace')).dragTo(page.locator(tid('canvas')), { targetPosition: { x: 300 + i * 280, y: 150 + i * 120 } });
    await set('dns', '10.3.9.4');
    await page.locator(tid('palette-veth')).click();
    await set('end0-namespace', `ns${i}`);
    await set('end0-name', `veth${i}`);
    await set('end0-addresses', `192.168.0.${i + 1}/24`);
    await set('end1-name', `veth${i}-br`);
    await set('end1-master', 'br0');
    await page.locator(tid(`node-ns:ns${i}`)).click();
    await page.locator(tid('inspector-route-add')).click();
    await set('route-to', 'default');
    await set('route-via', '192.168.0.1');
  }
  await page.locator(tid('palette-forwarder')).click();
  await page.locator(tid('auto-layout')).click();
  await page.waitForTimeout(400);
  await page.locator(tid('node-ns:ns1')).click();
  await page.screenshot({ path: `${DOCS}/editor.png` });
  await page.locator(tid('theme-toggle')).click();
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${DOCS}/editor-light.png` });
  await page.locator(tid('theme-toggle')).click();
  // live view and plan dialog against the in-memory demo backend
  await page.goto(`${server.url}?backend=demo`);
  await page.waitForSelector(tid('app-ready'));
  await page.locator(tid('live-toggle')).click();
  await page.waitForSelector(tid('node-ns:old-test'));
  await page.locator(tid('auto-layout')).click();
  await page.waitForTimeout(400);
  await page.locator(tid('node-ns:ns1')).click();
  await page.locator(tid('inspector-adopt')).click();
  await page.locator(tid('node-ns:ns2')).click();
  await page.waitForTimeout(200);
  await page.screenshot({ path: `${DOCS}/live.png` });
  await page.locator(tid('palette-namespace')).click();
  await page.locator(tid('palette-veth')).click();
  await set('end0-namespace', 'ns3');
  await set('end0-addresses', '192.168.0.4/24');
  await set('end1-master', 'br0');
  await page.locator(tid('plan-button')).click();
  await page.waitForSelector(tid('apply-button'));
  await page.screenshot({ path: `${DOCS}/plan.png` });
  await page.locator(tid('plan-close')).click();

  await page.goto(`${server.url}?bench=1000`);
  await page.waitForSelector(tid('overview-layer'), { state: 'attached' });
  await page.waitForTimeout(500);
  await page.screenshot({ path: `${DOCS}/overview-1000.png` });
  await page.evaluate(`window.__bench.rf.setCenter(${16 * 310 + 525}, ${16 * 170 + 40}, { zoom: 0.9 })`);
  await page.waitForTimeout(600);
  await page.screenshot({ path: `${DOCS}/detail-1000.png` });
  console.log('screenshots written to docs/');
} catch (e) {
  await b.context.pages()[0]?.screenshot({ path: '/tmp/shot-fail.png' });
  throw e;
} finally {
  await b.close();
  await server.close();
}
