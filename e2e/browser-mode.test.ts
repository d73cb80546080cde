/**
 * The browser mode's gate in a real browser: the printed URL works once (the page
 * drops its one-time code from the address bar, trades it for a session secret it
 * keeps in sessionStorage; no cookie, which would reach every server on
 * 127.0.0.1), the same URL replayed in another context opens nothing while the next
 * printed one does, a DNS-rebinding name is refused, and a page of another origin
 * cannot open the WebSocket even knowing the secret.
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
        assert.equal(new URL(page.url()).search, '', 'code dropped from the address bar');
        assert.deepEqual(await b.context.cookies(), [], 'no cookie: the browser would send it to any 127.0.0.1 port');
        const code = new URL(served.url).searchParams.get('code')!;
        const secret = await page.evaluate(() => sessionStorage.getItem('netns-studio-token'));
        assert.ok(secret && secret.length >= 20 && secret !== code, `a session secret, not the code: ${secret}`);
        const ws = `${served.origin.replace('http', 'ws')}/ws`;

        // the page's own origin opens the WebSocket with the secret it keeps; without it, or with the code, refused
        const open = (p: typeof page, u: string) =>
          p.evaluate(
            (url) =>
              new Promise<string>((resolve) => {
                const w = new WebSocket(url);
                w.onmessage = (e) => resolve(String(e.data));
                w.onclose = () => resolve('closed');
              }),
            u,
          );
        assert.match(await open(page, `${ws}?token=${secret}`), /"event":"status"/);
        assert.equal(await open(page, ws), 'closed');
        assert.equal(await open(page, `${ws}?token=${code}`), 'closed', 'a code is no credential');
        // a reload keeps the session (sessionStorage is this origin's and this tab's)
        await page.reload();
        assert.equal(await page.evaluate(() => sessionStorage.getItem('netns-studio-token')), secret);

        // the printed URL replayed (history, scrollback, a screen share) in another context opens nothing
        const other = await b.browser.newContext();
        const replay = await other.newPage();
        await replay.goto(served.url);
        await replay.waitForFunction(() => location.search === '', undefined, { timeout: 30_000 });
        assert.match(served.output(), /refused a one-time code that is unknown or already used/);
        assert.equal(await replay.evaluate(() => sessionStorage.getItem('netns-studio-token')), null, 'no session from a spent code');
        // the next address serve printed does
        await replay.goto(await served.nextUrl());
        await replay.waitForFunction(() => location.search === '' && !!sessionStorage.getItem('netns-studio-token'), undefined, { timeout: 30_000 });
        const secret2 = await replay.evaluate(() => sessionStorage.getItem('netns-studio-token'));
        assert.notEqual(secret2, secret);
        assert.match(await open(replay, `${ws}?token=${secret2}`), /"event":"status"/);
        await other.close();

        // DNS rebinding: same IP and port, foreign name
        const port = new URL(served.url).port;
        const rebound = await page.goto(`http://rebind.test:${port}/`);
        assert.equal(rebound?.status(), 421);

        // a foreign page that knows the secret still cannot open the socket
        await page.route('http://evil.test/**', (r) => r.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>evil</title>' }));
        await page.goto('http://evil.test/');
        const foreign = await page.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const w = new WebSocket(u);
              w.onopen = () => resolve('open');
              w.onclose = () => resolve('closed');
            }),
          `ws://127.0.0.1:${port}/ws?token=${secret}`,
        );
        assert.equal(foreign, 'closed');
      } finally {
        await b.close();
        await served.stop();
      }
    });
  });
});
