/**
 * The `pings` file of a scenario: one `FROM TARGET ok|fail` per line, FROM being a
 * namespace name or `host` (the sandbox host namespace). checkPings sends one
 * ping each (`ping -n -q -c1 -W1`) and reports every line whose outcome differs.
 */
import { existsSync } from 'node:fs';
import type { Sandbox } from './sandbox';

export interface PingCheck {
  from: string;
  target: string;
  expect: 'ok' | 'fail';
}

export function parsePings(text: string): PingCheck[] {
  const out: PingCheck[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [from, target, expect, ...rest] = line.split(/\s+/);
    if (rest.length || (expect !== 'ok' && expect !== 'fail'))
      throw new Error(`pings line ${i + 1}: expected "FROM TARGET ok|fail", got ${JSON.stringify(raw)}`);
    out.push({ from, target, expect });
  }
  return out;
}

export interface PingResult extends PingCheck {
  got: 'ok' | 'fail';
}

/** Runs every check; returns those whose outcome was not the expected one (empty = all hold). */
export async function checkPings(sb: Sandbox, checks: PingCheck[]): Promise<PingResult[]> {
  if (!['/usr/bin/ping', '/bin/ping', '/usr/sbin/ping'].some((p) => existsSync(p))) {
    throw new Error('ping is not installed (Debian: apt-get install iputils-ping); the scenario pings cannot be checked');
  }
  const results = await Promise.all(
    checks.map(async (c): Promise<PingResult> => {
      const argv = ['ping', '-n', '-q', '-c1', '-W1', c.target];
      const r = c.from === 'host' ? await sb.inHost(argv) : await sb.inNs(c.from, argv);
      return { ...c, got: r.code === 0 ? 'ok' : 'fail' };
    }),
  );
  return results.filter((r) => r.got !== r.expect);
}

/**
 * Pings right after links come up can be lost: the kernel turns a new carrier on
 * from its linkwatch work, up to a second later. So a ping expected to pass gets
 * two more tries, a second apart; one expected to fail never does. (Seen too: the
 * first IPv6 ping across a router that just came up, with every address nodad.)
 */
export async function checkPingsSettled(sb: Sandbox, pings: PingCheck[]): Promise<PingResult[]> {
  let failures = await checkPings(sb, pings);
  for (let i = 0; i < 2 && failures.length && failures.every((f) => f.expect === 'ok'); i++) {
    await new Promise((r) => setTimeout(r, 1000));
    failures = await checkPings(sb, failures);
  }
  return failures;
}
