/**
 * Which processes hold which network namespace: one readlink of
 * /proc/PID/ns/net per process (`net:[INODE]`, without opening the file).
 * Cheap enough to repeat (bench/proc-scan.ts measures it); the watch's periodic
 * rescan (helper/watch/proc-scan.ts) runs it to notice namespaces that come and go
 * without any link change.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** inode → pids holding it, ascending. */
export function scanHolders(proc = '/proc'): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let pids: number[];
  try {
    pids = readdirSync(proc)
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return out;
  }
  for (const pid of pids) {
    let inode: number;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`${proc}/${pid}/ns/net`));
      if (!m) continue;
      inode = Number(m[1]);
    } catch {
      continue; // gone, or a kernel thread we may not look into
    }
    const list = out.get(inode);
    if (list) list.push(pid);
    else out.set(inode, [pid]);
  }
  return out;
}

/** A small /proc file of a process, or '' when it is gone. */
export function procText(pid: number, file: 'comm' | 'cgroup' | 'cmdline' | 'status'): string {
  try {
    const t = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    return file === 'comm' ? t.trim() : t;
  } catch {
    return '';
  }
}

/** argv of a process (cmdline is NUL-separated). */
export function procArgv(pid: number): string[] {
  const t = procText(pid, 'cmdline');
  return t ? t.replace(/\0$/, '').split('\0') : [];
}

/** The real uid of a process, or undefined when it is gone. */
export function procUid(pid: number): number | undefined {
  const m = /^Uid:\s+(\d+)/m.exec(procText(pid, 'status'));
  return m ? Number(m[1]) : undefined;
}
