/**
 * Where the state dir and its journals are, in a module of its own without the
 * plan's code: the helper's entry asks whether a journal is pending before it
 * loads anything else (../main.ts), and ./journal.ts reads and writes them.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envSetting } from '../env-overrides';

export const DEFAULT_STATE_DIR = '/var/lib/netns-studio';
export const JOURNAL_FILE = 'journal.jsonl';

/** The state dir: explicit option, then $NETNS_STUDIO_STATE_DIR, then /var/lib/netns-studio. */
export function stateDirOf(explicit?: string): string {
  return explicit || envSetting('NETNS_STUDIO_STATE_DIR') || DEFAULT_STATE_DIR;
}

/**
 * The unfinished journal under a state dir, wherever it is: at its top (the
 * previous version's place, or a directory given directly) or in a topology's
 * record directory.
 */
export function pendingJournalPath(stateDir: string): string | undefined {
  const top = join(stateDir, JOURNAL_FILE);
  if (existsSync(top)) return top;
  const root = join(stateDir, 'topologies');
  if (!existsSync(root)) return undefined;
  for (const d of readdirSync(root).sort()) {
    const p = join(root, d, JOURNAL_FILE);
    if (existsSync(p)) return p;
  }
  return undefined;
}
