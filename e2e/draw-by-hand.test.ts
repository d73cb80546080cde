/**
 * The bridge LAN (scenario 03) and the NAT router (scenario 04) drawn by hand with
 * the mouse: namespaces and bridges from the palette, every veth dragged from a
 * visible "+" handle onto the other node (also onto namespaces without ports yet),
 * names as the app gives them (the backend's scope prefix keeps them inside the
 * sandbox). Only addresses and routes are typed. Applied through the real helper,
 * the scenarios' pings pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { withSandbox, type Sandbox } from '../testing/sandbox';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { unreachable, type Reach } from './reference';
import { setField, selectNode } from './ui';
import { addDefaultRoute, drawBridge, drawNamespace, drawVeth } from './draw';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping draw-by-hand e2e: ${skip}`);

async function apply(page: Page): Promise<void> {
  await page.locator(tid('plan-button')).click();
  await page.locator(tid('apply-button')).click();
  await page.waitForSelector(`${tid('apply-done')}, ${tid('apply-error')}`, { timeout: 60_000 });
  const err = page.locator(tid('apply-error'));
  assert.equal(await err.count(), 0, (await err.count()) ? ((await err.textContent()) ?? '') : '');
}

async function session(name: string, body: (page: Page, sb: Sandbox) => Promise<void>): Promise<void> {
  await withSandbox(name, (sb) =>
    withServePage(sb, async ({ page }) => {
      // the backend's scope reaches the page (it names new namespaces)
      await page.waitForSelector(`${tid('helper-status')}[data-scope="${sb.prefix}"]`, { state: 'attached' });
      await body(page, sb);
    }),
  );
}

describe('drawn by hand with the mouse', { skip }, () => {
  it('bridge LAN: two namespaces on a host bridge, pings pass', async () => {
    await session('e2edraw3', async (page, sb) => {
      const br = await drawBridge(page, 250, 120);
      await setField(page, 'addresses', '192.168.0.1/24');
      const ns1 = await drawNamespace(page, 150, 520);
      const ns2 = await drawNamespace(page, 600, 520);
      assert.deepEqual([ns1, ns2], [sb.ns('ns1'), sb.ns('ns2')], 'named by the app, inside the backend scope');
      let i = 2;
      for (const ns of [ns1, ns2]) {
        // from a namespace without any port onto the bridge
        await drawVeth(page, `ns:${ns}`, `br:host/${br}`);
        await setField(page, 'end0-addresses', `192.168.0.${i++}/24`);
        await addDefaultRoute(page, ns, '192.168.0.1');
      }
      // every member leaves its own handle on the bridge
      assert.equal(await page.locator(`${tid(`node-br:host/${br}`)} [data-handleid^="m:"]`).count(), 2);
      // the host is drawn as a region holding its bridge and the bridge's member chips
      const host = (await page.locator(tid('node-ns:host')).boundingBox())!;
      assert.match((await page.locator(tid('node-ns:host')).getAttribute('class')) ?? '', /\bhost\b/);
      for (const sel of [tid(`node-br:host/${br}`), `${tid(`node-br:host/${br}`)} [data-testid^="port-host/"]`]) {
        for (const el of await page.locator(sel).all()) {
          const r = (await el.boundingBox())!;
          assert.ok(
            r.x >= host.x && r.y >= host.y && r.x + r.width <= host.x + host.width && r.y + r.height <= host.y + host.height,
            `${sel} inside the host region`,
          );
        }
      }
      await apply(page);
      const reach: Reach[] = [
        ['ns1', '192.168.0.1', 'host'],
        ['ns1', '192.168.0.3', 'ns2'],
        ['ns2', '192.168.0.2', 'ns1'],
        ['host', '192.168.0.2', 'ns1'],
      ];
      assert.deepEqual(await unreachable(sb, reach), []);
    });
  });

  it('router with NAT: two namespaces routed through a third, pings pass', async () => {
    await session('e2edraw4', async (page, sb) => {
      const ns1 = await drawNamespace(page, 100, 450);
      const ns2 = await drawNamespace(page, 750, 450);
      const router = await drawNamespace(page, 420, 150);
      assert.deepEqual(
        [ns1, ns2, router],
        ['ns1', 'ns2', 'ns3'].map((n) => sb.ns(n)),
      );
      await drawVeth(page, `ns:${ns1}`, `ns:${router}`);
      await setField(page, 'end0-addresses', '192.168.1.1/24');
      await setField(page, 'end1-addresses', '192.168.1.254/24');
      // the router has a port now; the second veth is dropped onto its box again
      await drawVeth(page, `ns:${ns2}`, `ns:${router}`);
      await setField(page, 'end0-addresses', '192.168.2.1/24');
      await setField(page, 'end1-addresses', '192.168.2.254/24');
      const out = await page.locator(tid('inspector-end1-name')).inputValue();
      await selectNode(page, `ns:${router}`);
      await page.locator(tid('inspector-sysctl-ip-forward')).check();
      await page.locator(tid('inspector-nat-add')).click();
      await setField(page, 'nat-source', '192.168.1.0/24');
      await setField(page, 'nat-out', out);
      await addDefaultRoute(page, ns1, '192.168.1.254');
      await addDefaultRoute(page, ns2, '192.168.2.254');
      // Auto-layout: ns1 and ns2 left of the router, both veths drawn along ELK's orthogonal routes
      await page.locator(tid('auto-layout')).click();
      await page.waitForFunction(() => document.querySelectorAll('.veth-edge[data-routed="elk"]').length === 2, undefined, { timeout: 20_000 });
      const x = async (ns: string) => (await page.locator(tid(`node-ns:${ns}`)).boundingBox())!.x;
      assert.ok((await x(ns1)) < (await x(router)) && (await x(ns2)) < (await x(router)), 'laid out in layers: the ends before the router');
      await apply(page);
      const reach: Reach[] = [
        ['ns1', '192.168.2.1', 'ns2'],
        ['ns2', '192.168.1.1', 'ns1'],
        ['ns1', '192.168.2.254', 'ns3'],
      ];
      assert.deepEqual(await unreachable(sb, reach), []);
    });
  });
});
