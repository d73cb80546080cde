/**
 * nsids as the monitor's namespace sees them. `ip monitor all-nsid` only hears
 * namespaces that have an nsid there, so each named namespace we watch gets one
 * (`ip netns set NAME auto`), and the map nsid → name comes from `ip -j netns
 * list` (one lookup per name; `netns list-id` would scan /run/netns once per
 * id). Both in one `ip -batch` process, with `-force` so a namespace that
 * already has an id (or vanished meanwhile) does not stop the rest.
 */
import { runProgram } from '../proc';
import { isSafeNetnsName } from '../discover/targets';

/** Give `assign` an nsid where they have none, then read every named namespace's nsid. */
export async function assignAndListNsids(assign: string[], wrap?: string[]): Promise<Map<number, string>> {
  const lines = assign.filter(isSafeNetnsName).map((n) => `netns set ${n} auto`);
  lines.push('netns list');
  const r = await runProgram(['ip', '-j', '-force', '-batch', '-'], { input: lines.join('\n') + '\n', wrap, timeoutMs: 30_000 });
  return parseNetnsList(r.stdout);
}

/** `ip -j netns list` (possibly after other batch output): [{name, id?}] → id → name. */
export function parseNetnsList(stdout: string): Map<number, string> {
  const out = new Map<number, string>();
  const start = stdout.lastIndexOf('[{');
  const text = start === -1 ? stdout.trim() : stdout.slice(start).trim();
  if (!text) return out;
  try {
    for (const e of JSON.parse(text) as { name?: string; id?: number }[]) {
      if (typeof e.name === 'string' && typeof e.id === 'number') out.set(e.id, e.name);
    }
  } catch {
    /* nothing usable: the caller treats every nsid as unknown */
  }
  return out;
}
