/**
 * The optional `route-gets` file of a scenario: the route the kernel must pick for
 * a given packet, asked with `ip route get` inside a namespace. Pings show that
 * traffic got an answer; this shows which way the kernel sent it (which uplink,
 * which table), so a policy rule that was lost cannot hide behind a fallback
 * route that happens to work too. One check a line:
 *
 *   NS DST [from SRC] [iif DEV] [oif DEV] [mark MARK] => dev DEV [via GW] [table N]
 *   NS DST [from SRC] [iif DEV] [mark MARK] => fail
 *
 * `fail` means the kernel refuses the lookup (a blackhole/unreachable rule or no route).
 */
import type { Sandbox } from './sandbox';

const SELECTORS = ['from', 'iif', 'oif', 'mark'] as const;
type Selector = (typeof SELECTORS)[number];
const EXPECTS = ['dev', 'via', 'table'] as const;
type Expect = (typeof EXPECTS)[number];

export interface RouteGetCheck {
  /** scenario namespace name */
  ns: string;
  dst: string;
  select: Partial<Record<Selector, string>>;
  /** the fields `ip -j route get` must report, or 'fail' */
  expect: Partial<Record<Expect, string>> | 'fail';
  line: string;
}

function pairs<K extends string>(words: string[], keys: readonly K[], what: string): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  if (words.length % 2) throw new Error(`${what}: keyword without a value`);
  for (let i = 0; i < words.length; i += 2) {
    const k = words[i] as K;
    if (!keys.includes(k)) throw new Error(`${what}: unknown keyword ${JSON.stringify(words[i])} (expected ${keys.join(', ')})`);
    out[k] = words[i + 1];
  }
  return out;
}

export function parseRouteGets(text: string): RouteGetCheck[] {
  const out: RouteGetCheck[] = [];
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const where = `route-gets line ${i + 1}`;
    const [lhs, rhs, ...more] = line.split('=>').map((s) => s.trim().split(/\s+/).filter(Boolean));
    if (!lhs || !rhs || more.length || lhs.length < 2 || rhs.length === 0)
      throw new Error(`${where}: expected "NS DST [from SRC] [iif DEV] … => dev DEV [via GW] | fail", got ${JSON.stringify(raw)}`);
    const [ns, dst, ...sel] = lhs;
    const expect = rhs.length === 1 && rhs[0] === 'fail' ? 'fail' : pairs(rhs, EXPECTS, where);
    if (expect !== 'fail' && Object.keys(expect).length === 0) throw new Error(`${where}: nothing expected`);
    out.push({ ns, dst, select: pairs(sel, SELECTORS, where), expect, line });
  }
  return out;
}

export interface RouteGetResult {
  check: RouteGetCheck;
  /** what the kernel said: the fields asked for, or `fail: <its message>` */
  got: Partial<Record<Expect, string>> | string;
}

/** The argv after `ip -j`: `route get DST from SRC iif DEV …` (iproute2 spells mark as `mark`). */
export function routeGetArgv(c: RouteGetCheck): string[] {
  const argv = ['route', 'get', c.dst];
  for (const k of SELECTORS) if (c.select[k] !== undefined) argv.push(k, c.select[k]);
  return argv;
}

/** Asks the kernel for every check; returns those whose answer differs (empty = all hold). */
export async function checkRouteGets(sb: Sandbox, checks: RouteGetCheck[]): Promise<RouteGetResult[]> {
  const results = await Promise.all(
    checks.map(async (check): Promise<RouteGetResult | undefined> => {
      const r = await sb.inNs(check.ns, ['ip', '-j', ...routeGetArgv(check)]);
      if (r.code !== 0) return check.expect === 'fail' ? undefined : { check, got: `fail: ${r.stderr.trim()}` };
      if (check.expect === 'fail') return { check, got: r.stdout.trim() };
      const [route] = JSON.parse(r.stdout) as { dev?: string; gateway?: string; table?: string | number }[];
      const got: Partial<Record<Expect, string>> = {};
      for (const k of Object.keys(check.expect) as Expect[]) {
        const v = k === 'via' ? route?.gateway : route?.[k];
        if (v !== undefined) got[k] = String(v);
      }
      const same = (Object.keys(check.expect) as Expect[]).every((k) => got[k] === (check.expect as Record<Expect, string>)[k]);
      return same ? undefined : { check, got };
    }),
  );
  return results.filter((r): r is RouteGetResult => r !== undefined);
}

/** One line per failed check, for assertion messages. */
export const describeRouteGets = (failed: RouteGetResult[]): string[] =>
  failed.map((f) => `${f.check.line}  (kernel: ${typeof f.got === 'string' ? f.got : JSON.stringify(f.got)})`);
