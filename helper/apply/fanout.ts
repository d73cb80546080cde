/**
 * Many namespaces at once. Spawning is synchronous in Node (fork of a large
 * process: ~2 ms each here), so 500 per-namespace `ip -batch` processes spawned
 * from Node cost a second of the main thread. `xargs -0 -P` (tiny, forks in
 * ~0.3 ms) starts them instead, side by side: still argument arrays, no shell.
 * Each namespace's lines go to their own batch file, so ip's `Command failed
 * FILE:N` tells which namespace failed and at which line.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasProgram } from '../programs';
import { programPath, runProc, type RunnerOptions } from './runner';
import type { Item, Unit } from './schedule';

export interface FanoutOutcome {
  applied: Item[];
  uncertain: Item[];
  failures: { item: Item; stderr: string }[];
}

/** Usable when xargs exists; lanes must be single `ip -batch` units outside `host`. */
export function fanoutAvailable(): boolean {
  return hasProgram('xargs');
}

/** The items of `u` to send: all, or those before the step `failAt` where a test injects a failure (recorded in `out`). */
export function itemsToSend(u: Unit, failAt: number | undefined, out: FanoutOutcome): Item[] {
  const cut = failAt === undefined ? -1 : u.items.findIndex((it) => it.step === failAt);
  if (cut < 0) return u.items;
  out.failures.push({ item: u.items[cut], stderr: 'injected failure (test)' });
  return u.items.slice(0, cut);
}

export async function runFanout(units: Unit[], opts: RunnerOptions & { parallel: number; failAt?: number }): Promise<FanoutOutcome> {
  const out: FanoutOutcome = { applied: [], uncertain: [], failures: [] };
  const dir = mkdtempSync(join(tmpdir(), 'netns-studio-batch-'));
  try {
    const files = new Map<string, { unit: Unit; items: Item[] }>();
    const args: string[] = [];
    units.forEach((u, i) => {
      const items = itemsToSend(u, opts.failAt, out);
      if (!items.length) return;
      const file = join(dir, `l${i}`);
      writeFileSync(file, items.map((it) => it.argv.slice(1).join(' ')).join('\n') + '\n', { mode: 0o600 });
      files.set(file, { unit: u, items });
      args.push('-n', u.namespace, '-batch', file);
    });
    if (!args.length) return out;
    const argFile = join(dir, 'args');
    writeFileSync(argFile, args.join('\0') + '\0', { mode: 0o600 });
    const r = await runProc([programPath('xargs'), '-0', '-P', String(opts.parallel), '-n', '4', '-a', argFile, programPath('ip')], opts);
    if (r.code === 0) {
      for (const f of files.values()) out.applied.push(...f.items);
      return out;
    }
    // Attribute errors: "text…\nCommand failed FILE:N" blocks, and namespaces ip could not open.
    const failedAt = new Map<string, { line: number; text: string }>();
    const unopened = new Set<string>();
    let pending: string[] = [];
    for (const line of r.stderr.split('\n')) {
      const m = /^Command failed (\S+):(\d+)\s*$/.exec(line);
      const ns = /^Cannot open network namespace "([^"]+)"/.exec(line);
      if (m) {
        failedAt.set(m[1], { line: Number(m[2]) - 1, text: pending.join('\n').trim() });
        pending = [];
      } else if (ns) {
        unopened.add(ns[1]);
        pending = [];
      } else if (line.trim() && !line.startsWith('xargs:')) {
        pending.push(line);
      }
    }
    // xargs stops launching after a 255 exit: lanes we cannot account for are uncertain
    const aborted = r.code !== 123;
    for (const [file, f] of files) {
      const fail = failedAt.get(file);
      if (fail) {
        out.applied.push(...f.items.slice(0, fail.line));
        out.failures.push({ item: f.items[fail.line], stderr: fail.text || 'ip batch line failed' });
      } else if (unopened.has(f.unit.namespace)) {
        out.failures.push({ item: f.items[0], stderr: `Cannot open network namespace "${f.unit.namespace}"` });
      } else if (aborted) {
        out.uncertain.push(...f.items);
      } else {
        out.applied.push(...f.items);
      }
    }
    if (!out.failures.length) out.failures.push({ item: units[0].items[0], stderr: r.stderr.trim() || `xargs exited ${r.code}` });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
