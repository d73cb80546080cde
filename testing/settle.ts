/**
 * Waits until a freshly built sandbox can carry traffic: every link that is up
 * has carrier (operstate UP, or UNKNOWN for loopback-like links) and no address
 * is still tentative (IPv6 DAD), polled with a deadline. Links that are down,
 * or up without a peer that is up, are left as they are: a test may want them so.
 */
import { readdirSync } from 'node:fs';
import { run } from './run';
import type { Sandbox } from './sandbox';

interface Link {
  ifname: string;
  flags?: string[];
  operstate?: string;
  addr_info?: { tentative?: boolean; family?: string }[];
  link_index?: number;
}

async function unsettled(ns: string): Promise<string[]> {
  const r = await run(['ip', '-n', ns, '-j', 'addr', 'show']);
  if (r.code !== 0) return [];
  const links = JSON.parse(r.stdout || '[]') as Link[];
  const out: string[] = [];
  for (const l of links) {
    if (!l.flags?.includes('UP')) continue;
    if (l.flags.includes('NO-CARRIER')) continue; // its peer is down: that is how it is meant to be
    if (l.operstate !== 'UP' && l.operstate !== 'UNKNOWN') out.push(`${ns}/${l.ifname} ${l.operstate}`);
    if (l.addr_info?.some((a) => a.tentative)) out.push(`${ns}/${l.ifname} tentative`);
  }
  return out;
}

export async function waitSettled(sb: Sandbox, timeoutMs = 15_000): Promise<void> {
  const names = readdirSync('/run/netns').filter((n) => n.startsWith(sb.prefix));
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = (await Promise.all(names.map(unsettled))).flat();
    if (!left.length) return;
    if (Date.now() > until) throw new Error(`links not settled after ${timeoutMs} ms: ${left.join(', ')}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}
