/**
 * The browser mode's gate: a random token every request must carry, Host and
 * Origin checks (a DNS-rebinding page has a foreign Host; a foreign page has a
 * foreign Origin), and the security headers every response gets.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function sameToken(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The credential of a WebSocket handshake: `?token=` on the socket URL (the page's
 * own connection, carrying the session secret its one-time code traded for, kept
 * in sessionStorage, which belongs to this origin, port included:
 * ./one-time-codes.ts) or `Authorization: Bearer` (scripts, the server's token). No cookie:
 * cookies are not port-scoped, so the browser would hand ours to every other
 * server on 127.0.0.1 (issue 15).
 */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token') ?? undefined;
}

/**
 * Host names this server answers to: loopback names when bound to loopback; with
 * `--host ADDR` also that address; plus any the person named (`allowedHosts`).
 * Everything is compared as `name:port`, lower-case.
 */
export function allowedHostHeaders(bindHost: string, port: number, extra: readonly string[] = []): Set<string> {
  const names = new Set<string>(['127.0.0.1', 'localhost', '[::1]']);
  if (bindHost !== '0.0.0.0' && bindHost !== '::') names.add(bindHost.includes(':') && !bindHost.startsWith('[') ? `[${bindHost}]` : bindHost);
  for (const e of extra) names.add(e.toLowerCase());
  return new Set([...names].map((n) => `${n.toLowerCase()}:${port}`));
}

export function hostAllowed(req: IncomingMessage, allowed: Set<string>): boolean {
  const host = req.headers.host?.toLowerCase();
  return !!host && allowed.has(host);
}

/**
 * Origin, when the browser sends one, must be this very server. A WebSocket
 * handshake always carries an Origin (browsers send it): there it is required.
 */
export function originAllowed(req: IncomingMessage, allowed: Set<string>, required: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return !required;
  let u: URL;
  try {
    u = new URL(origin);
  } catch {
    return false;
  }
  return u.protocol === 'http:' && allowed.has(u.host.toLowerCase());
}

/**
 * A strict CSP: only our own scripts, no eval, no inline script, no framing, no
 * forms, no plugins; connections only back to this server (its WebSocket).
 * Inline *styles* stay allowed: React Flow positions nodes with style attributes.
 */
export function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

export function securityHeaders(host: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), bluetooth=()',
    'Cache-Control': 'no-store',
  };
}
