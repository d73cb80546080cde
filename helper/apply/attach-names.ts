/**
 * The /run/netns names withExternals (./externals.ts) gives external namespaces
 * for one call, written down in the state dir while they exist: a helper killed
 * mid-call never takes its name away, and that name (a bind mount) keeps the
 * namespace alive after its last process is gone. Recovery (./recovery.ts), after
 * the journal's rollback (which may still need the name), detaches what is left:
 * only a name that still is the namespace it was given to, never someone else's.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NETNS_DIR, isSafeNetnsName } from '../discover/targets';
import { runProgram } from '../proc';
import { programPath } from '../programs';
import { isSameRootProcess, processStart } from './process-identity';

const dirOf = (stateDir: string) => join(stateDir, 'attached');

/** who gave the name, to which namespace */
interface Note {
  inode: number;
  pid: number;
  /** the giver's start time (./process-identity.ts): a live giver's names are its own to take away */
  start?: string;
}

function readNote(file: string): Note | undefined {
  try {
    const n = JSON.parse(readFileSync(file, 'utf8')) as Partial<Note>;
    return typeof n.inode === 'number' && typeof n.pid === 'number'
      ? { inode: n.inode, pid: n.pid, start: typeof n.start === 'string' ? n.start : undefined }
      : undefined;
  } catch {
    return undefined;
  }
}

const inodeOf = (path: string): number | undefined => {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
};

/** Before `ip netns attach NAME`: NAME will stand for the namespace with this inode. */
export function noteAttaching(stateDir: string | undefined, name: string, inode: number): void {
  if (!stateDir) return;
  mkdirSync(dirOf(stateDir), { recursive: true, mode: 0o700 });
  const note: Note = { inode, pid: process.pid, start: processStart(process.pid) };
  writeFileSync(join(dirOf(stateDir), name), JSON.stringify(note));
}

/** After the name was taken away again (or never given). */
export function noteDetached(stateDir: string | undefined, name: string): void {
  if (stateDir) rmSync(join(dirOf(stateDir), name), { force: true });
}

/** Take away every name a killed call left (those still naming their namespace); returns the names detached. */
export async function detachLeftovers(stateDir: string, wrap: string[] = []): Promise<string[]> {
  let names: string[];
  try {
    names = readdirSync(dirOf(stateDir));
  } catch {
    return [];
  }
  const detached: string[] = [];
  for (const name of names) {
    const file = join(dirOf(stateDir), name);
    const note = readNote(file);
    if (note && isSameRootProcess(note.pid, note.start)) continue; // a call still running (another helper or CLI on this state dir)
    if (note && isSafeNetnsName(name) && inodeOf(join(NETNS_DIR, name)) === note.inode) {
      // `ip netns del` of an attached name removes the name (a bind mount) only: the namespace goes when nothing else holds it
      const r = await runProgram([...wrap, programPath('ip'), 'netns', 'del', name], { timeoutMs: 10_000 });
      if (r.code === 0) detached.push(name);
      else continue; // kept on record: tried again next start
    }
    rmSync(file, { force: true });
  }
  return detached;
}
