/**
 * Where apply keeps its state, and whether a journal is pending there. Apart from
 * ./journal.ts so the helper's hello entry (helper/main.ts) can look before it
 * serves without loading the journal reader (which reads old records through
 * shared/plan, and zod with it): scripts/build.test.ts holds the entry to that.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envSetting } from '../env-overrides';

export const DEFAULT_STATE_DIR = '/var/lib/netns-studio';
export const FILE = 'journal.jsonl';

/** The state dir: explicit, else $NETNS_STUDIO_STATE_DIR, else /var/lib/netns-studio. */
export function stateDirOf(explicit?: string): string {
  return explicit || envSetting('NETNS_STUDIO_STATE_DIR') || DEFAULT_STATE_DIR;
}

export function pendingJournalPath(stateDir: string): string | undefined {
  const top = join(stateDir, FILE);
  if (existsSync(top)) return top;
  const root = join(stateDir, 'topologies');
  if (!existsSync(root)) return undefined;
  for (const d of readdirSync(root).sort()) {
    const p = join(root, d, FILE);
    if (existsSync(p)) return p;
  }
  return undefined;
}
