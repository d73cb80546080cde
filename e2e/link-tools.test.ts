/**
 * Link tools from the canvas, in chromium against the real helper (browser mode,
 * behind the session token), with the mouse: namespaces a and b of a sandbox
 * joined by a1–b1 (testing/veth-pair.ts).
 *
 * Capture: a1's ⋯ menu → Capture packets…, filter `icmp`, count 4, Start; a
 * ping a → b fills the live list with the echo requests and replies (addresses,
 * protocol, length, summary); the downloaded pcap parses and holds the same four
 * ICMP frames (our reader and `tcpdump -r`).
 *
 * Terminal: b's namespace menu → Open terminal; `ip -br addr` typed into the
 * xterm.js view shows b's interfaces (b1 with 10.77.0.2/24) and not a's; `stty
 * size` in the shell matches the size the terminal fitted to its panel, and
 * again after the panel is made smaller; closing the panel hangs the shell up,
 * and so does closing the browser tab.
 *
 * netem: the impair panel says plainly when the kernel lacks sch_netem.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { decodeFrame } from '../shared/capture/decode';
import { readPcap } from '../shared/capture/pcap';
import { run, runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { waitUntilAsync } from '../testing/until';
import { PAIR, buildPair } from '../testing/veth-pair';
import { e2eSkipReason, helperSkipReason, launchBrowser, startServe, tid } from './harness';
import { waitForApp } from './ui';

const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason();
if (skip) console.log(`skipping link tools e2e: ${skip}`);

/** What the terminal shows now (xterm.js draws its rows as DOM text). */
const screenText = (page: Page, ns: string) =>
  page.locator(`${tid(`terminal-${ns}`)} .xterm-rows`).evaluate((el) => [...el.children].map((r) => r.textContent ?? '').join('\n'));

/** Pids of processes inside a namespace (the shell the helper started there). */
async function pidsIn(ns: string): Promise<string[]> {
  return (await runOk(['ip', 'netns', 'pids', ns])).split(/\s+/).filter(Boolean);
}

/** Type a command into the focused terminal and wait until `expect` appears on its screen. */
async function typeAndSee(page: Page, ns: string, command: string, expect: RegExp): Promise<string> {
  await page.keyboard.type(`${command}\n`);
  let text = '';
  await waitUntilAsync(`"${command}" output matching ${expect} in the terminal`, async () => expect.test((text = await screenText(page, ns))), 10_000).catch(
    (e: Error) => {
      throw new Error(`${e.message}; it shows:\n${text}`);
    },
  );
  return text;
}

describe('link tools from the canvas', { skip }, () => {
  it(
    'captures a ping from a port menu (live list, pcap download), runs ip -br addr in a namespace terminal that fits its panel, closes shells with the panel and the tab',
    { timeout: 240_000 },
    async () => {
      await withSandbox('e2etools', async (sb) => {
        await buildPair(sb);
        const [a, b] = [sb.ns('a'), sb.ns('b')];
        const served = await startServe(sb);
        const br = await launchBrowser(sb);
        const { page } = br;
        try {
          await waitForApp(page, served.url);
          await page.locator(tid('live-toggle')).click();
          await page.locator(tid(`port-${a}/a1`)).waitFor({ timeout: 15_000 });
          await page.waitForSelector(`${tid('helper-status')}[data-state="connected"]`, { timeout: 30_000 });

          // ---- capture from a1's menu
          await page.locator(tid(`port-menu-${a}/a1`)).click();
          await page.locator(tid('port-menu-capture')).click();
          await page.locator(tid('capture-filter')).fill('icmp');
          await page.locator(tid('capture-count')).fill('4');
          await page.locator(tid('capture-start')).click();
          await page.waitForSelector(`${tid('capture-status')}[data-state="running"]`, { timeout: 20_000 });
          const ping = await sb.inNs('a', ['ping', '-c', '2', '-i', '0.2', '-W', '2', PAIR.b]);
          assert.equal(ping.code, 0, ping.stderr);
          await page.waitForSelector(`${tid('capture-status')}[data-state="ended"]`, { timeout: 20_000 }).catch(async (e: Error) => {
            throw new Error(
              `${e.message}\nthe panel says: ${await page.locator(tid('capture-status')).textContent()}; rows: ${JSON.stringify(await page.locator(tid('capture-packet')).evaluateAll((rs) => rs.map((r) => r.textContent)))}\nserve:\n${served.output()}`,
            );
          });
          assert.match((await page.locator(tid('capture-status')).textContent()) ?? '', /4 packets, stopped by count/);
          const rows = await page
            .locator(tid('capture-packet'))
            .evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
          assert.equal(rows.length, 4, JSON.stringify(rows));
          for (const [i, [, time, src, dst, proto, len, summary]] of rows.entries()) {
            const request = i % 2 === 0;
            assert.match(time, /^\d\d:\d\d:\d\d\.\d{6}$/, 'time of day');
            assert.deepEqual([src, dst], request ? [PAIR.a, PAIR.b] : [PAIR.b, PAIR.a], `row ${i} addresses`);
            assert.equal(proto, 'ICMP');
            assert.equal(len, '98', 'an Ethernet frame of a default ping');
            assert.match(summary, request ? /^echo request id \d+ seq \d+$/ : /^echo reply id \d+ seq \d+$/);
          }
          const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(tid('capture-download')).click()]);
          assert.equal(dl.suggestedFilename(), `${a}-a1.pcap`);
          const file = (await dl.path())!;
          const pcap = readPcap(new Uint8Array(await readFile(file)));
          assert.equal(pcap.records.length, 4);
          const decoded = pcap.records.map((r) => decodeFrame(pcap.header.linktype, r.data));
          assert.deepEqual(
            decoded.map((d) => [d.proto, d.src, d.dst]),
            [
              ['ICMP', PAIR.a, PAIR.b],
              ['ICMP', PAIR.b, PAIR.a],
              ['ICMP', PAIR.a, PAIR.b],
              ['ICMP', PAIR.b, PAIR.a],
            ],
          );
          const tcpdump = await run(['tcpdump', '-nr', file]);
          assert.equal(tcpdump.code, 0, tcpdump.stderr);
          assert.equal(
            tcpdump.stdout
              .trim()
              .split('\n')
              .filter((l) => /ICMP echo (request|reply)/.test(l)).length,
            4,
            tcpdump.stdout,
          );
          // Open in Wireshark is a desktop feature: the browser never offers it
          assert.equal(await page.locator(tid('capture-wireshark')).count(), 0);
          await page.locator(tid('capture-close')).click();

          // ---- netem: said plainly where the kernel lacks it
          // the kernel's own answer, asked the way the helper's hello probe asks it
          const netem = (await run(['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])).code === 0;
          await page.locator(tid(`port-menu-${a}/a1`)).click();
          await page.locator(tid('port-menu-impair')).click();
          if (!netem) {
            assert.match((await page.locator(tid('impair-netem-missing')).textContent()) ?? '', /no netem \(sch_netem\)/);
            assert.equal(await page.locator(tid('impair-apply')).isDisabled(), true);
          } else assert.equal(await page.locator(tid('impair-netem-missing')).count(), 0, 'netem is there: no message that it is missing');
          await page.locator(tid('impair-close')).click();

          // ---- terminal from b's namespace menu
          assert.deepEqual(await pidsIn(b), [], 'nothing runs in b yet');
          await page.locator(tid(`ns-menu-${b}`)).click();
          await page.locator(tid('port-menu-terminal')).click();
          const panel = page.locator(tid(`terminal-${b}`));
          await page.waitForSelector(`${tid(`terminal-${b}`)}[data-state="open"]`, { timeout: 20_000 });
          await page.locator(`${tid(`terminal-${b}`)} ${tid('terminal-box')}`).click();
          const text = await typeAndSee(page, b, 'ip -br addr', /b1@\S+\s+UP\s+10\.77\.0\.2\/24/);
          assert.match(text, /^lo\s+UNKNOWN\s+127\.0\.0\.1\/8/m, 'its loopback');
          assert.doesNotMatch(text, /\ba1@/, "a's interface is not in b");
          assert.equal((await pidsIn(b)).length > 0, true, 'the shell runs in b');

          // fitted to the panel: the shell's size is the one the terminal fitted, not a fixed 100×24
          const sizeOf = async () => ({ cols: Number(await panel.getAttribute('data-cols')), rows: Number(await panel.getAttribute('data-rows')) });
          const fitted = await sizeOf();
          assert.ok(fitted.cols >= 10 && fitted.rows >= 3, JSON.stringify(fitted));
          await typeAndSee(page, b, 'stty size', new RegExp(`^${fitted.rows} ${fitted.cols}\\s*$`, 'm'));
          await panel.evaluate((el) => {
            (el as HTMLElement).style.width = '420px';
            (el as HTMLElement).style.height = '220px';
          });
          await waitUntilAsync(
            'the terminal refitted to a smaller panel',
            async () => (await sizeOf()).cols < fitted.cols && (await sizeOf()).rows < fitted.rows,
            5000,
          );
          const smaller = await sizeOf();
          await page.keyboard.type('clear\n');
          await typeAndSee(page, b, 'stty size', new RegExp(`^${smaller.rows} ${smaller.cols}\\s*$`, 'm'));

          // closing the panel hangs the shell up
          await page.locator(`${tid(`terminal-${b}`)} ${tid('terminal-close')}`).click();
          await waitUntilAsync('the shell in b gone after the panel closed', async () => (await pidsIn(b)).length === 0, 10_000);

          // a terminal left open goes with the browser tab
          await page.locator(tid(`ns-menu-${a}`)).click();
          await page.locator(tid('port-menu-terminal')).click();
          await page.waitForSelector(`${tid(`terminal-${a}`)}[data-state="open"]`, { timeout: 20_000 });
          // the panel opens when its socket does; the shell is spawned a moment later
          await waitUntilAsync('the shell runs in a', async () => (await pidsIn(a)).length > 0, 10_000);
          assert.deepEqual(br.problems, []);
          await page.close();
          await waitUntilAsync('the shell in a gone after the tab closed', async () => (await pidsIn(a)).length === 0, 15_000);
        } finally {
          await br.close();
          await served.stop();
        }
      });
    },
  );
});
