/**
 * Reachability in the live view, in chromium against the real helper (browser
 * mode): after scenario 04's reference build, two namespaces selected with the
 * mouse show their path through the router highlighted on the canvas; the
 * matrix panel's real pings agree with every prediction. Then `ip link set …
 * down` on the router's hop towards ns2: the live view marks that hop (the
 * router outlined red with its reason beside it, the port marked), the
 * inspector names the interface, and the real pings agree with the new
 * prediction.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { waitSettled } from '../testing/settle';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { up04 } from './reference';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping reach live e2e: ${skip}`);

/** Ping every pair from the panel, as a person would; the rows as they stand afterwards. */
async function pingAll(page: Page) {
  const progress = page.locator(tid('reach-ping-progress'));
  const runs = (await progress.count()) ? Number(await progress.getAttribute('data-run')) : 0;
  await page.locator(tid('reach-ping')).click();
  // this run's end: the progress stays, marked done, with the run's number
  await page.locator(`${tid('reach-ping-progress')}[data-state="done"][data-run="${runs + 1}"]`).waitFor({ timeout: 60_000 });
  assert.equal(
    await page.locator(tid('reach-ping-error')).count(),
    0,
    (await page
      .locator(tid('reach-ping-error'))
      .textContent()
      .catch(() => '')) ?? '',
  );
  return page.locator(tid('reach-row')).evaluateAll((rs) =>
    rs.map((r) => ({
      from: r.getAttribute('data-from'),
      to: r.getAttribute('data-to'),
      toNs: r.getAttribute('data-to-ns'),
      predicted: r.getAttribute('data-predicted'),
      actual: r.getAttribute('data-actual'),
    })),
  );
}

describe('reachability in the live view', { skip }, () => {
  it('highlights the path between two namespaces selected with the mouse, and marks a hop set down with ip', async () => {
    await withSandbox('e2ereach', async (sb) => {
      await up04(sb);
      await waitSettled(sb);
      await withServePage(sb, async ({ page }) => {
        const [ns1, ns2, router] = ['ns1', 'ns2', 'ns-router'].map((n) => sb.ns(n));
        // the scenario's own pairs (the sandbox host has an uplink into a namespace it does not name)
        const isOurs = (r: { from: string | null; toNs: string | null }) =>
          [ns1, ns2, router].includes(r.from ?? '') && [ns1, ns2, router].includes(r.toNs ?? '');
        await page.locator(tid('live-toggle')).click();
        for (const n of [ns1, ns2, router]) await page.waitForSelector(tid(`node-ns:${n}`), { timeout: 10_000 });

        // ns1, then ns2 with Control held: the inspector asks "can ns1 reach ns2?"
        await page.locator(tid(`node-ns:${ns1}`)).click();
        await page.locator(tid(`node-ns:${ns2}`)).click({ modifiers: ['Control'] });
        const pair = page.locator(tid('reach-pair'));
        await pair.waitFor();
        assert.equal(await pair.getAttribute('data-source'), 'live');
        await page.waitForSelector(`${tid('reach-pair')}[data-predicted="ok"]`, { timeout: 10_000 });
        const css = (await page.locator(tid('reach-pair-highlight')).textContent()) ?? '';
        for (const n of [ns1, router, ns2]) assert.ok(css.includes(`"ns:${n}"`), `${n} on the path`);
        const routerNode = page.locator(`.react-flow__node[data-id="ns:${router}"]`);
        assert.equal(await routerNode.evaluate((n) => getComputedStyle(n).outlineStyle), 'solid', 'the router on the path is outlined');
        assert.equal(await routerNode.evaluate((n) => getComputedStyle(n).outlineColor), 'rgb(42, 157, 75)', 'in the path colour');
        assert.ok(
          (await page
            .locator('.react-flow__edge path[style], .react-flow__edge path')
            .evaluateAll((ps) => ps.filter((p) => getComputedStyle(p).strokeWidth === '4px').length)) >= 2,
          'both veth edges drawn as the path',
        );

        // every pair of the live matrix pinged for real: each agrees with its prediction
        await page.locator(tid('reach-open')).click();
        assert.equal(await page.locator(tid('reach-panel')).getAttribute('data-source'), 'live');
        const before = await pingAll(page);
        const ours = before.filter(isOurs);
        assert.equal(ours.length, 8, `pairs among the scenario's namespaces: ${JSON.stringify(before)}`);
        for (const r of ours) assert.equal(r.actual, r.predicted, `${r.from} → ${r.to}: predicted ${r.predicted}, pinged ${r.actual}`);
        for (const r of before) if (r.actual) assert.equal(r.actual, r.predicted, `${r.from} → ${r.to}: predicted ${r.predicted}, pinged ${r.actual}`);
        assert.equal(before.find((r) => r.from === ns1 && r.to === '192.168.2.1')?.predicted, 'ok');

        // one hop down by hand: the router's veth towards ns2
        await runOk(['ip', '-n', router, 'link', 'set', 'dev', 'veth-router2', 'down']);
        await page.waitForSelector(`${tid('reach-pair')}[data-predicted="fail"]`, { timeout: 10_000 });
        const reason = page.locator(tid('reach-pair-reason'));
        assert.equal(await reason.getAttribute('data-ns'), router, 'the failing hop is the router');
        assert.match((await reason.textContent()) ?? '', /veth-router2/, 'its reason names the interface set down');
        assert.equal(await routerNode.evaluate((n) => getComputedStyle(n).outlineColor), 'rgb(214, 40, 40)', 'the router is marked as the failing hop');
        assert.match(await routerNode.evaluate((n) => getComputedStyle(n, '::after').content), /veth-router2/, 'with its reason beside it on the canvas');
        assert.equal(await page.locator(tid(`port-${router}/veth-router2`)).evaluate((p) => getComputedStyle(p).outlineStyle), 'solid', 'and the port marked');

        const after = (await pingAll(page)).filter(isOurs);
        for (const r of after)
          assert.equal(r.actual, r.predicted, `after the link went down, ${r.from} → ${r.to}: predicted ${r.predicted}, pinged ${r.actual}`);
        assert.equal(after.find((r) => r.from === ns1 && r.to === '192.168.2.1')?.predicted, 'fail');

        // the link back up, then a firewall rule changed by hand: no netlink event tells of it, yet the
        // open inspector turns to fail at the router's FORWARD policy without anything reopened or pinged
        await runOk(['ip', '-n', router, 'link', 'set', 'dev', 'veth-router2', 'up']);
        await page.waitForSelector(`${tid('reach-pair')}[data-predicted="ok"]`, { timeout: 20_000 });
        await runOk(['ip', 'netns', 'exec', router, 'iptables', '-P', 'FORWARD', 'DROP']);
        await page.waitForSelector(`${tid('reach-pair')}[data-predicted="fail"]`, { timeout: 30_000 });
        assert.equal(await reason.getAttribute('data-ns'), router, 'the failing hop is the router');
        assert.match((await reason.textContent()) ?? '', /FORWARD policy is DROP/, 'its reason names the firewall policy');
      });
    });
  });
});
