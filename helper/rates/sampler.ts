/**
 * Reads the counters of every link of the host (`host`, the helper's own
 * namespace) and of the named namespaces (`/run/netns`, optionally only those with
 * a prefix), again and again at the interval ./rates.ts picks for the host's size,
 * and hands each interval's rates to `onRates`. One links-only netlink dump per
 * namespace in one long-lived perl process (helper/discover/netlink.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { objectKey } from '../../shared/model/ids';
import { HOST_NS } from '../../shared/model/schema';
import { readLinkCounters } from '../discover/netlink';
import { NETNS_DIR } from '../discover/targets';
import type { LinkRates } from '../../shared/protocol/methods';
import { ratesBetween, samplingInterval, type Reading } from './rates';

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** one interval's rates: the protocol's `rates` event */
export type RatesSample = LinkRates;

/** One reading of every link: link key → counters. */
export async function readAll(onlyPrefix?: string): Promise<Reading> {
  let names: string[] = [];
  try {
    names = readdirSync(NETNS_DIR).filter((n) => NAME.test(n) && (!onlyPrefix || n.startsWith(onlyPrefix)));
  } catch {
    /* no /run/netns yet: the host alone */
  }
  const paths = ['/proc/self/ns/net', ...names.map((n) => join(NETNS_DIR, n))];
  const nsOf = new Map(paths.map((p, i) => [p, i === 0 ? HOST_NS : names[i - 1]]));
  const read = await readLinkCounters(paths);
  const out: Reading = new Map();
  for (const [path, links] of read) for (const [ifname, c] of links) out.set(objectKey.link(nsOf.get(path)!, ifname), c);
  return out;
}

export function startSampler(opts: { onlyPrefix?: string; minIntervalMs?: number }, onRates: (s: RatesSample) => void): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let prev: { reading: Reading; at: number } | undefined;
  let interval = opts.minIntervalMs ?? 1000;
  const tick = async () => {
    const t0 = performance.now();
    const reading = await readAll(opts.onlyPrefix).catch(() => undefined);
    const at = performance.now();
    if (stopped) return;
    if (reading) {
      interval = samplingInterval(reading.size, at - t0, opts.minIntervalMs);
      if (prev)
        onRates({
          at: Date.now(),
          intervalMs: Math.round(at - prev.at),
          links: reading.size,
          readMs: Math.round((at - t0) * 10) / 10,
          rates: ratesBetween(prev.reading, reading, at - prev.at),
        });
      prev = { reading, at };
    }
    timer = setTimeout(() => void tick(), interval);
  };
  timer = setTimeout(() => void tick(), 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
