/**
 * The browser mode's token, as the page keeps it (issue 15): read once from the
 * address serve printed (`?token=`), kept in sessionStorage, which belongs to
 * this origin (port included) and this tab, and taken out of the address bar and
 * history at once. No cookie: the browser would send a cookie to every server
 * on 127.0.0.1, whatever its port.
 */
const KEY = 'netns-studio-token';

export function pageToken(loc: Location | undefined = globalThis.location, storage: Storage | undefined = globalThis.sessionStorage, history: History | undefined = globalThis.history): string | undefined {
  const params = new URLSearchParams(loc?.search ?? '');
  const fromUrl = params.get('token');
  if (fromUrl && loc) {
    try {
      storage?.setItem(KEY, fromUrl);
    } catch {
      /* storage refused (private mode): the token lives in this page only */
    }
    params.delete('token');
    const rest = params.toString();
    history?.replaceState(history.state, '', `${loc.pathname}${rest ? `?${rest}` : ''}${loc.hash}`);
    return fromUrl;
  }
  try {
    return storage?.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}
