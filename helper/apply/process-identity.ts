/**
 * Naming one process for good (issue 15): a pid is reused, so the journal records
 * its owner's start time too (field 22 of /proc/PID/stat, clock ticks since
 * boot). Recovery treats the journal's owner as alive only when that pid still
 * runs as root and started at that moment; any other process with that pid (a
 * user's `node` included) does not hold the journal.
 */
import { readFileSync, statSync } from 'node:fs';

export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count from the last ')'
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Is `pid` the process that started at `start`, running as root? Without `start` (an older journal): a root node helper. */
export function isSameRootProcess(pid: number, start: string | undefined): boolean {
  if (!pid || pid === process.pid) return false;
  try {
    if (statSync(`/proc/${pid}`).uid !== 0) return false;
    if (start !== undefined) return processStart(pid) === start;
    return /node|tsx|netns-studio/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}
