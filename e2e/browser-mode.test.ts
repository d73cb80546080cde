/**
 * The browser mode's gate in a real browser: the printed URL works (the page keeps
 * the token in sessionStorage and drops it from the address bar; no cookie, which
 * would reach every server on 127.0.0.1), a DNS-rebinding name is refused, and a
 * page of another origin cannot open the WebSocket even knowing the token.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSandbox } from '../testing/sandbox';
import { e2eSkipReason, launchBrowser, startServe } from './harness';

const skip = e2eSkipReason();
if (skip) console.log(`skipping browser-mode e2e: ${skip}`);

describe('browser mode in chromium', { skip }, () => {
  it('serves the printed URL, refuses rebinding hosts and foreign origins', async () => {
    await withSandbox('e2ebm', async (sb) => {
      const served = await startServe(sb);
      const b = await launchBrowser(sb, ['--host-resolver-rules=MAP rebind.test 127.0.0.1']);
      try {
        const { page } = b;
        const first = await page.goto(served.url);
        assert.equal(first?.status(), 200);
        await page.waitForFunction(() => location.search === '', undefined, { timeout: 30_000 });
        assert.equal(new URL(page.url()).search, '', 'token dropped from the address bar');
        assert.deepEqual(await b.context.cookies(), [], 'no cookie: the browser would send it to any 127.0.0.1 port');
        assert.equal(await page.evaluate(() => sessionStorage.getItem('netns-studio-token')), served.token);

        // the page's own origin opens the WebSocket with the token it keeps; without it, refused
        const open = (u: string) =>
          page.evaluate(
            (url) =>
              new Promise<string>((resolve) => {
                const ws = new WebSocket(url);
                ws.onmessage = (e) => resolve(String(e.data));
                ws.onclose = () => resolve('closed');
              }),
            u,
          );
        assert.match(await open(`${served.origin.replace('http', 'ws')}/ws?token=${served.token}`), /"event":"status"/);
        assert.equal(await open(`${served.origin.replace('http', 'ws')}/ws`), 'closed');
        // a reload keeps the session (sessionStorage is this origin's and this tab's)
        await page.reload();
        assert.equal(await page.evaluate(() => sessionStorage.getItem('netns-studio-token')), served.token);

        // DNS rebinding: same IP and port, foreign name
        const port = new URL(served.url).port;
        const rebound = await page.goto(`http://rebind.test:${port}/?token=${served.token}`);
        assert.equal(rebound?.status(), 421);

        // a foreign page that knows the token still cannot open the socket
        await page.route('http://evil.test/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title>' }));
        await page.goto('http://evil.test/');
        const foreign = await page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(u);
              ws.onopen = () => resolve('open');
              ws.onclose = () => resolve('closed');
            }),
          `ws://127.0.0.1:${port}/ws?token=${served.token}`,
        );
        assert.equal(foreign, 'closed');
      } finally {
        await b.close();
        await served.stop();
      }
    });
  });
});
