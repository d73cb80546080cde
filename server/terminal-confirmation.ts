/**
 * `serve`'s yes to a change, typed in the terminal serve runs in (issue 15;
 * ../shell-core/change-confirmation.ts). A browser's apply or destroy waits while
 * serve prints what the helper would do and a short code; the person types that
 * code and Enter here. The browser never sees the code, so a session secret in
 * the wrong hands (or a page script) cannot apply anything by itself. Anything
 * else typed, no answer within the time, or no terminal at all (stdin closed:
 * run in the background, `< /dev/null`) refuses; nothing reaches the helper.
 */
import { randomInt } from 'node:crypto';
import { createInterface } from 'node:readline';
import { describeChange, verbOf, type ConfirmChange, type Confirmation } from '../shell-core/change-confirmation';

export interface TerminalConfirmOptions {
  /** where the person types (serve: process.stdin, the terminal) */
  input: NodeJS.ReadableStream;
  /** where the question goes (serve: stdout, the same terminal) */
  print: (text: string) => void;
  /** how long a question waits for its answer */
  timeoutMs?: number;
}

export const CONFIRM_TIMEOUT_MS = 5 * 60_000;
/** no 0/O, 1/I: read off a screen and typed */
const CODE_CHARS = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const newCode = () => Array.from({ length: 5 }, () => CODE_CHARS[randomInt(CODE_CHARS.length)]).join('');

/** The line that asks, for people and for scripts driving serve (e2e): `type CODE and Enter`. */
export const CONFIRM_PROMPT_RE = /type ([A-Z0-9]{5}) and Enter here/;

export function terminalConfirmer(opts: TerminalConfirmOptions): ConfirmChange {
  const timeoutMs = opts.timeoutMs ?? CONFIRM_TIMEOUT_MS;
  const pending = new Map<string, (c: Confirmation) => void>();
  let closed = false;
  let listening = false;
  const NO_TERMINAL = 'serve has no terminal to confirm changes on (its input is closed): run it in a terminal';

  // read the terminal only once something asks: an idle serve leaves stdin alone
  const listen = () => {
    if (listening) return;
    listening = true;
    const rl = createInterface({ input: opts.input, terminal: false });
    rl.on('line', (raw) => {
      const typed = raw.trim().toUpperCase();
      const answer = pending.get(typed);
      if (answer) return answer({ confirmed: true });
      if (pending.size) {
        for (const a of pending.values()) a({ confirmed: false, why: 'refused in the terminal where serve runs' });
        opts.print(`netns-studio: refused (${typed ? `"${raw.trim()}" is not the code` : 'no code typed'}); nothing was changed.`);
      }
    });
    rl.on('close', () => {
      closed = true;
      for (const a of pending.values()) a({ confirmed: false, why: NO_TERMINAL });
    });
  };

  return (change) => {
    listen();
    if (closed) return Promise.resolve({ confirmed: false, why: NO_TERMINAL });
    const code = newCode();
    const { title, lines } = describeChange(change);
    opts.print(
      [
        '',
        `netns-studio: a browser asks root to act on this host. ${title}`,
        ...lines.map((l) => `    ${l}`),
        `  To go ahead, type ${code} and Enter here. Anything else, or no answer in ${Math.round(timeoutMs / 60_000) || 1} min, refuses.`,
        '',
      ].join('\n'),
    );
    return new Promise<Confirmation>((resolve) => {
      const timer = setTimeout(() => done({ confirmed: false, why: 'no answer in the terminal where serve runs' }), timeoutMs);
      const done = (c: Confirmation) => {
        clearTimeout(timer);
        pending.delete(code);
        if (c.confirmed) opts.print(`netns-studio: confirmed ${code} (${verbOf(change)}).`);
        resolve(c);
      };
      pending.set(code, done);
    });
  };
}
