/**
 * How a browser gets into `serve` without the secret ever being in a URL (issue 15).
 * The address serve prints and opens carries a one-time code, not the token; the
 * page sends it once (POST /session, from its own origin) and gets a session
 * secret in the answer's body, which it keeps in sessionStorage (this origin, so
 * this port, and this tab) and shows the WebSocket. The code is spent by that
 * exchange: replayed (from a terminal's scrollback, a browser's history, the
 * 0600 file handed to the browser, a screen share) it opens nothing. Each
 * exchange mints the next code, which serve prints for another tab or browser.
 * Session secrets are known only to this server process: valid on no other port.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Codes waiting to be used at once (each use mints one; old ones beyond this are dropped). */
const MAX_CODES = 4;
/** Sessions kept (tabs opened over the server's life); the oldest goes first. */
const MAX_SESSIONS = 64;

const random = (): string => randomBytes(24).toString('base64url');

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface SessionGate {
  /** a fresh one-time code */
  mintCode(): string;
  /** spend `code`: the new session's secret, or undefined for a code unknown or already used */
  exchange(code: string): string | undefined;
  /** is this a session secret this server handed out? */
  isSession(secret: string | undefined | null): boolean;
}

export function createSessionGate(): SessionGate {
  const codes: string[] = [];
  const sessions: string[] = [];
  return {
    mintCode() {
      const c = random();
      codes.push(c);
      if (codes.length > MAX_CODES) codes.shift();
      return c;
    },
    exchange(code) {
      const i = codes.findIndex((c) => equal(c, code));
      if (i < 0) return undefined;
      codes.splice(i, 1);
      const s = random();
      sessions.push(s);
      if (sessions.length > MAX_SESSIONS) sessions.shift();
      return s;
    },
    isSession(secret) {
      return !!secret && sessions.some((s) => equal(s, secret));
    },
  };
}
