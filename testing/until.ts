/**
 * Waiting in tests without guessing how long something takes: poll a condition up
 * to a deadline, or wait for a promise (an event) up to one. A test then asserts
 * as before; the deadline only bounds a wait that would otherwise hang.
 */

/** Polls `f` every `everyMs` until it holds or `ms` pass; resolves whether it held. */
export async function until(f: () => boolean, ms = 10_000, everyMs = 20): Promise<boolean> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return true;
}

/** `until`, throwing `timed out waiting for WHAT` when the deadline passes. */
export async function waitUntil(what: string, f: () => boolean, ms = 10_000): Promise<void> {
  if (!(await until(f, ms))) throw new Error(`timed out waiting for ${what}`);
}

/** `p`'s value, or undefined once `ms` pass without it. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `waitUntil` for a condition that has to ask something (a page, the kernel): polled every `everyMs` until it holds. */
export async function waitUntilAsync(what: string, f: () => Promise<boolean>, ms = 10_000, everyMs = 100): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `f`'s first defined value, polled every `everyMs`; throws `timed out waiting for WHAT` after `ms`. */
export async function firstValue<T>(what: string | (() => string), f: () => T | undefined | Promise<T | undefined>, ms = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
