/**
 * The host's names for routing tables (iproute2's rt_tables: `/etc/iproute2/rt_tables`,
 * its `rt_tables.d/*.conf`, and the distribution's defaults under /usr/share or /usr/lib).
 * The ip reader prints a named table by its name, and a discovered document uses
 * the host's names for its tables (declared in the namespace's `tables`), so a person
 * reads `table uplink2` where they wrote it. Read once per process and again when a
 * file changes (one stat each).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KERNEL_TABLES } from '../../shared/model/tables';

const DIRS = ['/usr/share/iproute2', '/usr/lib/iproute2', '/etc/iproute2'];

/** `ID NAME` lines, `#` comments; the last definition of a name wins, as in iproute2. */
export function parseRtTables(text: string, into = new Map<string, number>()): Map<string, number> {
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^(0x[0-9a-f]+|\d+)\s+([A-Za-z_][A-Za-z0-9_.-]*)$/i.exec(line);
    if (!m) continue;
    const id = Number(m[1]);
    if (id >= 1 && id <= 4294967295 && !(m[2] in KERNEL_TABLES) && m[2] !== 'unspec') into.set(m[2], id);
  }
  return into;
}

function files(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    out.push(join(d, 'rt_tables'));
    try {
      for (const f of readdirSync(join(d, 'rt_tables.d'))
        .filter((x) => x.endsWith('.conf'))
        .sort())
        out.push(join(d, 'rt_tables.d', f));
    } catch {
      // no rt_tables.d here
    }
  }
  return out;
}

let cache: { stamp: string; names: Map<string, number> } | undefined;

/** name → table id, for the tables the host names (never the kernel's main/local/default). */
export function hostTableNames(dirs: readonly string[] = DIRS): ReadonlyMap<string, number> {
  const list = files(dirs);
  const stamp = list
    .map((f) => {
      try {
        const s = statSync(f);
        return `${f}:${s.mtimeMs}:${s.size}`;
      } catch {
        return '';
      }
    })
    .join('|');
  if (cache?.stamp === stamp && dirs === DIRS) return cache.names;
  const names = new Map<string, number>();
  for (const f of list) {
    try {
      parseRtTables(readFileSync(f, 'utf8'), names);
    } catch {
      // missing or unreadable: no names from it
    }
  }
  if (dirs === DIRS) cache = { stamp, names };
  return names;
}
