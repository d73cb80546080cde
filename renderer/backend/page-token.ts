/**
 * The browser mode's secret, as the page keeps it (issue 15). The address serve
 * printed carries a one-time code (`?code=`), never the token: the page takes it
 * out of the address bar and history at once, trades it once for a session
 * secret (POST /session on its own origin: server/one-time-codes.ts), and keeps
 * that in sessionStorage, which belongs to this origin (port included) and this
 * tab, so a reload keeps the session and no other port ever sees it. No cookie:
 * the browser would send a cookie to every server on 127.0.0.1, whatever its port.
 */
const KEY = 'netns-studio-token';

export async function pageToken(
  loc: Location | undefined = globalThis.location,
  storage: Storage | undefined = globalThis.sessionStorage,
  history: History | undefined = globalThis.history,
  post: (path: string, body: string) => Promise<Response> = (path, body) => fetch(path, { method: 'POST', body, credentials: 'omit', cache: 'no-store' }),
): Promise<string | undefined> {
  const params = new URLSearchParams(loc?.search ?? '');
  const code = params.get('code');
  if (code && loc) {
    // out of the address bar before anything else: the code is spent either way
    params.delete('code');
    const rest = params.toString();
    history?.replaceState(history.state, '', `${loc.pathname}${rest ? `?${rest}` : ''}${loc.hash}`);
    try {
      const res = await post('/session', code);
      const secret = res.ok ? ((await res.json()) as { secret?: unknown }).secret : undefined;
      if (typeof secret === 'string') {
        try {
          storage?.setItem(KEY, secret);
        } catch {
          /* storage refused (private mode): the secret lives in this page only */
        }
        return secret;
      }
    } catch {
      /* the server is gone: the stored session, if any, below */
    }
  }
  try {
    return storage?.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
