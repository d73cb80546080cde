/**
 * The address `serve` prints (a one-time code: server/one-time-codes.ts) and the
 * exchange a page makes with it, for tests that talk to the WebSocket themselves.
 */
export const SERVE_URL_RE = /http:\/\/127\.0\.0\.1:\d+\/\?code=[\w-]+/;

/** Trade the address's one-time code for a session secret, as the page does (POST /session from its origin). */
export async function sessionSecret(url: string): Promise<string> {
  const u = new URL(url);
  const res = await fetch(`${u.origin}/session`, { method: 'POST', body: u.searchParams.get('code') ?? '', headers: { Origin: u.origin } });
  if (!res.ok) throw new Error(`POST /session: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

/** The same, run where fetch cannot reach (inside a sandbox namespace): a script for `node -e URL`. */
export const SESSION_SCRIPT = `const u=new URL(process.argv[1]);fetch(u.origin+'/session',{method:'POST',body:u.searchParams.get('code'),headers:{Origin:u.origin}}).then(async r=>{if(!r.ok)throw new Error(r.status);console.log((await r.json()).secret)}).catch(e=>{console.error(String(e));process.exit(1)})`;
