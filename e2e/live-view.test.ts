/**
 * (b) The live view after scenario 04's reference build: every namespace, veth and
 * address is on the canvas; a link brought down with `ip` changes on the canvas
 * (how fast is bench:live-path's question, not a wall-clock bound here: under
 * load such a bound measured the machine, not the product).
 * Then the helper is killed: the status badge says so, serve restarts it, and the
 * live view follows the kernel again.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { HELPER_BUNDLE } from '../helper/bundle-files';
import { withSandbox } from '../testing/sandbox';
import { runOk } from '../testing/run';
import { withServePage } from '../testing/serve-page';
import { e2eSkipReason, helperSkipReason, tid } from './harness';
import { up04 } from './reference';

/** pid of the helper serve started inside the sandbox host namespace */
async function findHelper(hostNs: string): Promise<number> {
  const pids = (await runOk(['ip', 'netns', 'pids', hostNs])).split(/\s+/).filter(Boolean);
  for (const p of pids) {
    const cmd = await readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '');
    // the bundle tests start (helper/code-location.ts), or the sources with NETNS_STUDIO_FROM_SOURCE=1
    if (cmd.split('\0').some((a) => a.endsWith('helper/main.ts') || a.endsWith(`/${HELPER_BUNDLE}`))) return Number(p);
  }
  throw new Error(`no helper process in ${hostNs}`);
}

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping live-view e2e: ${skip}`);

describe('live view', { skip }, () => {
  it('shows scenario 04 and follows a link going down', async () => {
    await withSandbox('e2elive', async (sb) => {
      await up04(sb);
      await withServePage(
        sb,
        async ({ page }) => {
          await page.locator(tid('live-toggle')).click();
          const ns = (n: string) => sb.ns(n);
          for (const n of ['ns1', 'ns2', 'ns-router']) await page.waitForSelector(tid(`node-ns:${ns(n)}`), { timeout: 10_000 });
          const ports: [string, string, string][] = [
            [ns('ns1'), 'veth-ns1', '192.168.1.1/24'],
            [ns('ns-router'), 'veth-router1', '192.168.1.254/24'],
            [ns('ns-router'), 'veth-router2', '192.168.2.254/24'],
            [ns('ns2'), 'veth-ns2', '192.168.2.1/24'],
          ];
          for (const [n, ifname, addr] of ports) {
            const port = page.locator(tid(`port-${n}/${ifname}`));
            await port.waitFor();
            assert.equal(await port.getAttribute('data-up'), 'true', `${n}/${ifname} up`);
            assert.match((await page.locator(tid(`node-ns:${n}`)).textContent()) ?? '', new RegExp(addr.replace(/\./g, '\\.')));
          }
          assert.equal(
            await page
              .locator(tid(`edge-veth:${ns('ns1')}/veth-ns1`))
              .or(page.locator(tid(`edge-veth:${ns('ns-router')}/veth-router1`)))
              .count(),
            1,
          );
          assert.equal(
            await page
              .locator(tid(`edge-veth:${ns('ns2')}/veth-ns2`))
              .or(page.locator(tid(`edge-veth:${ns('ns-router')}/veth-router2`)))
              .count(),
            1,
          );

          const t0 = Date.now();
          await runOk(['ip', '-n', ns('ns1'), 'link', 'set', 'dev', 'veth-ns1', 'down']);
          await page.waitForSelector(`${tid(`port-${ns('ns1')}/veth-ns1`)}[data-up="false"]`, { timeout: 20_000 });
          console.log(`live view: link down shown after ${Date.now() - t0} ms`);

          // the helper dies: the badge says so, the server restarts it, the live view follows again
          const helperPid = await findHelper(sb.hostNs);
          process.kill(helperPid, 'SIGKILL');
          await page.waitForSelector(`${tid('helper-status')}[data-state="failed"]`, { timeout: 5000 });
          await page.waitForSelector(`${tid('helper-status')}[data-state="connected"]`, { timeout: 30_000 });
          assert.notEqual(await findHelper(sb.hostNs), helperPid, 'a new helper');
          await runOk(['ip', '-n', ns('ns1'), 'link', 'set', 'dev', 'veth-ns1', 'up']);
          await page.waitForSelector(`${tid(`port-${ns('ns1')}/veth-ns1`)}[data-up="true"]`, { timeout: 5000 });
        },
        { allowProblems: true },
      );
    });
  });
});
