/**
 * Many namespaces, one process. Starting a process costs ~3-6 ms on this kind of
 * machine (`ip -n NS` also remounts /sys for the namespace), and a star of 500
 * namespaces needs one per namespace: that, not the kernel, was most of an
 * apply. ./netlink-lanes.pl enters each namespace in turn with setns(2) and
 * sends the rtnetlink requests of the planner's simplest lines itself (`link set
 * dev D up|down|mtu N`, `addr add CIDR dev D [nodad]`, `route add DST [via GW] [dev D]
 * [metric N]`), exactly as `ip` encodes them; a namespace with any other line
 * goes through `ip -batch` as before (./fanout.ts). Failures name the namespace
 * and line, with the text `ip` would print, so the executor treats both alike.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { itemsToSend, type FanoutOutcome } from './fanout';
import { runProc, type RunnerOptions } from './runner';
import type { Item, Unit } from './schedule';
import { envSetting } from '../env-overrides';

/** beside this module (and beside the packaged helper bundle: helper/bundle-files.ts HELPER_SCRIPTS) */
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'netlink-lanes.pl');
const PERL = '/usr/bin/perl';

/** setns(2) by architecture (Node's process.arch names). */
const SYS_SETNS: Partial<Record<string, number>> = { x64: 308, arm64: 268, riscv64: 268, loong64: 268, arm: 375, ia32: 346, ppc64: 350, s390x: 339 };

let available: boolean | undefined;
export function netlinkLanesAvailable(): boolean {
  available ??= envSetting('NETNS_STUDIO_NETLINK_LANES') !== '0' && SYS_SETNS[process.arch] !== undefined && existsSync(PERL) && existsSync(SCRIPT);
  return available;
}

const NAME = /^[A-Za-z0-9_.:@+-]{1,64}$/;
const NUM = /^\d{1,9}$/;
const ADDR = /^[0-9A-Fa-f.:]{2,45}(\/\d{1,3})?$/;

/** Whether ./netlink-lanes.pl understands this `ip` argv (same forms as its run_line). */
export function netlinkSupports(argv: string[]): boolean {
  const [ip, obj, verb, ...a] = argv;
  if (ip !== 'ip') return false;
  if (obj === 'link' && verb === 'set' && a[0] === 'dev' && NAME.test(a[1] ?? '')) {
    return (a.length === 3 && (a[2] === 'up' || a[2] === 'down')) || (a.length === 4 && a[2] === 'mtu' && NUM.test(a[3]));
  }
  if ((obj === 'addr' || obj === 'address') && verb === 'add')
    return (a.length === 3 || (a.length === 4 && a[3] === 'nodad')) && ADDR.test(a[0]) && a[1] === 'dev' && NAME.test(a[2]);
  if (obj === 'route' && verb === 'add' && a.length >= 3 && a.length % 2 === 1) {
    if (a[0] !== 'default' && !ADDR.test(a[0])) return false;
    const v6 = a[0].includes(':');
    const opts = new Map<string, string>();
    for (let i = 1; i < a.length; i += 2) {
      if (opts.has(a[i])) return false;
      opts.set(a[i], a[i + 1]);
    }
    if (!opts.has('via') && !opts.has('dev')) return false;
    const via = opts.get('via');
    return (
      [...opts.keys()].every((k) => k === 'via' || k === 'dev' || k === 'metric') &&
      (via === undefined || (ADDR.test(via) && !via.includes('/') && via.includes(':') === v6 && (a[0] !== 'default' || !v6))) &&
      (!opts.has('dev') || NAME.test(opts.get('dev')!)) &&
      (!opts.has('metric') || NUM.test(opts.get('metric')!))
    );
  }
  return false;
}

/** Every line of every unit can go through the netlink runner (units of named namespaces only). */
export function netlinkCanRun(units: Unit[]): boolean {
  return netlinkLanesAvailable() && units.every((u) => u.namespace !== 'host' && NAME.test(u.namespace) && u.items.every((it) => netlinkSupports(it.argv)));
}

export async function runNetlinkLanes(units: Unit[], opts: RunnerOptions & { failAt?: number }): Promise<FanoutOutcome> {
  const out: FanoutOutcome = { applied: [], uncertain: [], failures: [] };
  const sent = new Map<string, Item[]>();
  const input: string[] = [];
  for (const u of units) {
    const items = itemsToSend(u, opts.failAt, out);
    if (!items.length) continue;
    sent.set(u.namespace, items);
    input.push(`ns ${u.namespace}`, ...items.map((it) => it.argv.slice(1).join('\t')));
  }
  if (!sent.size) return out;
  const r = await runProc([PERL, SCRIPT, String(SYS_SETNS[process.arch])], { ...opts, input: input.join('\n') + '\n' });
  const seen = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const ok = /^ok (\S+) (\d+)$/.exec(line);
    const bad = /^fail (\S+) (\d+)\t(.*)$/.exec(line);
    const ns = ok?.[1] ?? bad?.[1];
    const items = ns === undefined ? undefined : sent.get(ns);
    if (!items || seen.has(ns!)) continue;
    seen.add(ns!);
    if (ok) out.applied.push(...items);
    else {
      const k = Math.min(Number(bad![2]), items.length - 1);
      out.applied.push(...items.slice(0, k));
      out.failures.push({ item: items[k], stderr: bad![3] });
    }
  }
  // the runner died part way: what it did not report on may or may not have happened
  for (const [ns, items] of sent) if (!seen.has(ns)) out.uncertain.push(...items);
  if (out.uncertain.length && !out.failures.length) out.failures.push({ item: out.uncertain[0], stderr: r.stderr.trim() || `perl exited ${r.code}` });
  return out;
}
