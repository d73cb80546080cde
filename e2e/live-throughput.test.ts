/**
 * Live throughput on the canvas, in chromium against the real helper (browser
 * mode): namespaces a and b joined by a1–b1 (testing/veth-pair.ts), the live
 * view on. Idle, the veth has no rate overlay. Under an iperf3 stream a → b
 * (paced at 200 Mbit/s) the edge gets one: its number (data-bps, and the words
 * in its hover title) near iperf3's own figure, drawn wider than the idle edge;
 * the edge selected with the mouse shows the rate and a sparkline in the
 * inspector. When the stream ends the edge is idle again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runOk } from '../testing/run';
import { withSandbox } from '../testing/sandbox';
import { waitUntilAsync } from '../testing/until';
import { PAIR, buildPair } from '../testing/veth-pair';
import { e2eSkipReason, helperSkipReason, launchBrowser, startServe, tid } from './harness';
import { waitForApp } from './ui';

const IPERF3 = '/usr/bin/iperf3';
const skip = e2eSkipReason({ needUi: true }) ?? helperSkipReason() ?? (existsSync(IPERF3) ? undefined : 'iperf3 is not installed (apt-get install iperf3)');
if (skip) console.log(`skipping live throughput e2e: ${skip}`);

describe('live throughput on the canvas', { skip }, () => {
  it(
    'an iperf3 stream between two namespaces shows on their edge (width, number on hover) and in the inspector sparkline, and is gone when it ends',
    { timeout: 180_000 },
    async () => {
      await withSandbox('e2erate', async (sb) => {
        await buildPair(sb);
        const [a, b] = [sb.ns('a'), sb.ns('b')];
        const served = await startServe(sb);
        const br = await launchBrowser(sb);
        const { page } = br;
        const server = spawn('ip', ['netns', 'exec', b, IPERF3, '-s', '-1', '-B', PAIR.b], { stdio: 'ignore' });
        try {
          await waitForApp(page, served.url);
          await page.locator(tid('live-toggle')).click();
          // the veth's edge, by whichever end the live picture names it
          const edge = page.locator(`${tid(`edge-veth:${a}/a1`)}, ${tid(`edge-veth:${b}/b1`)}`);
          await edge.waitFor({ timeout: 15_000 });
          const edgeId = (await edge.getAttribute('data-testid'))!.slice('edge-'.length);
          const overlay = page.locator(tid(`edge-rate-${edgeId}`));
          const bps = async () => Number((await overlay.getAttribute('data-bps', { timeout: 1000 }).catch(() => null)) ?? 0);
          // idle: nothing drawn, or at most neighbour discovery's trickle
          assert.ok((await bps()) < 100_000, `idle edge: ${await bps()} bit/s`);

          await waitUntilAsync(
            'iperf3 listening in b',
            async () => (await runOk(['ip', 'netns', 'exec', b, 'ss', '-ltnH'])).includes(`${PAIR.b}:5201`),
            10_000,
          );
          let report = '';
          const client = spawn('ip', ['netns', 'exec', a, IPERF3, '-c', PAIR.b, '-t', '8', '-b', '200M', '-J'], { stdio: ['ignore', 'pipe', 'inherit'] });
          client.stdout.on('data', (d) => (report += d));
          const clientDone = new Promise<number | null>((r) => client.on('close', r));

          // the stream shows on the edge: a rate overlay with the number, wider than the edge
          const seen: number[] = [];
          await waitUntilAsync(
            'the edge to carry the stream (> 100 Mbit/s)',
            async () => {
              seen.push(await bps());
              return seen.at(-1)! > 100e6;
            },
            15_000,
          ).catch((e: Error) => {
            throw new Error(`${e.message}; seen ${seen.map((x) => (x / 1e6).toFixed(1)).join(' ')} Mbit/s`);
          });
          const title = (await overlay.locator('title').textContent()) ?? '';
          assert.match(title, /^\d+(\.\d)? Mbit\/s\n→ .* pkt\/s · ← .* pkt\/s$/, `hover text: ${title}`);
          const width = await overlay.evaluate((p) => parseFloat(getComputedStyle(p).strokeWidth));
          const base = await edge.locator('path.react-flow__edge-path').evaluate((p) => parseFloat(getComputedStyle(p).strokeWidth));
          assert.ok(width > base + 2, `the busy edge is drawn wider: ${width} px over ${base} px`);

          // selected with the mouse (on the overlay's own stroke, where hovering shows the number): the inspector's sparkline
          // (a straight edge has a box of zero height, which Playwright will not click: the mouse goes to its midpoint)
          const mid = await overlay.evaluate((p) => {
            const path = p as SVGPathElement;
            const ctm = path.getScreenCTM()!;
            const pt = path.getPointAtLength(path.getTotalLength() / 2);
            return { x: ctm.a * pt.x + ctm.c * pt.y + ctm.e, y: ctm.b * pt.x + ctm.d * pt.y + ctm.f };
          });
          await page.mouse.move(mid.x, mid.y);
          assert.equal(
            await page.evaluate(({ x, y }) => document.elementFromPoint(x, y)?.getAttribute('class'), mid),
            'edge-rate',
            'the mouse is on the rate overlay (its title shows on hover)',
          );
          await page.mouse.click(mid.x, mid.y);
          const row = page.locator(`${tid('link-throughput')} [data-testid^="link-rate-link:"]`);
          await row.waitFor({ timeout: 5000 });
          await waitUntilAsync(
            'two samples in the sparkline',
            async () =>
              Number(
                await page
                  .locator(tid('link-rate-spark'))
                  .getAttribute('data-samples')
                  .catch(() => '0'),
              ) >= 2,
            10_000,
          );
          assert.ok(Number(await page.locator(tid('link-rate-spark')).getAttribute('data-peak')) > 100e6, 'its peak is the stream');

          assert.equal(await clientDone, 0, 'iperf3 ran');
          const sent = (JSON.parse(report) as { end: { sum_sent: { bits_per_second: number } } }).end.sum_sent.bits_per_second;
          const top = Math.max(...seen, Number(await page.locator(tid('link-rate-spark')).getAttribute('data-peak')));
          // both ways on the edge (ACKs add a little); a sample straddling the start reads low, so the peak is compared
          assert.ok(top > sent * 0.8 && top < sent * 1.25, `the edge's peak ${(top / 1e6).toFixed(1)} Mbit/s vs iperf3's ${(sent / 1e6).toFixed(1)} Mbit/s`);
          console.log(`live throughput e2e: edge peak ${(top / 1e6).toFixed(1)} Mbit/s, iperf3 ${(sent / 1e6).toFixed(1)} Mbit/s`);

          // the stream ended: the edge is idle again (its overlay gone, or at most a trickle)
          await waitUntilAsync('the edge idle again', async () => (await bps()) < 100_000, 15_000);
          assert.deepEqual(br.problems, []);
        } finally {
          server.kill();
          await br.close();
          await served.stop();
        }
      });
    },
  );
});
