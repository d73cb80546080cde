/**
 * The browser mode's gate in a real browser: the printed URL works (token traded for
 * a cookie, then dropped from the address bar), a DNS-rebinding name is refused, and
 * a page of another origin cannot open the WebSocket even knowing the token.
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
        assert.equal(new URL(page.url()).search, '', 'token dropped from the address bar');
        const cookies = await b.context.cookies();
        const c = cookies.find((k) => k.name.startsWith('netns_studio_'));
        assert.ok(c, 'token cookie set');
        assert.equal(c.httpOnly, true);
        assert.equal(c.sameSite, 'Strict');

        // the page's own origin may open the WebSocket (the cookie carries the token)
        const own = await page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(u);
              ws.onmessage = (e) => resolve(String(e.data));
              ws.onclose = () => resolve('closed');
            }),
          `${served.origin.replace('http', 'ws')}/ws`,
        );
        assert.match(own, /"event":"status"/);

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
