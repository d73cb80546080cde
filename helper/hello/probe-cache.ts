/**
 * hello's probes (iproute2's version, the kernel features: five processes, ~70 ms of
 * CPU and more on a busy host) remembered across helper starts in a root-only file
 * under /run (tmpfs: gone at reboot), so a helper answers `hello` without running
 * them again. The record holds only while nothing it depends on changed: the boot
 * (modules a probe loaded or that were removed), the kernel, and the programs the
 * probes ran (path, size, mtime, inode: an upgrade or install changes them). A file
 * not ours or writable by others is ignored, never trusted; a failed write only
 * costs the next start its probes.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname } from 'node:path';
import { envSetting } from '../env-overrides';

/** the record (NETNS_STUDIO_PROBE_CACHE: tests point it elsewhere; never from a request) */
export const probeCacheFile = (): string => envSetting('NETNS_STUDIO_PROBE_CACHE') ?? '/run/netns-studio/hello-probes.json';

/** the programs hello's probes run */
const PROBED = ['ip', 'tc', 'unshare', 'iptables', 'nft'];
const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** What the probes' answers depend on, as one string (equal = the answers still hold). */
export function probeKey(): string {
  let boot = '';
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    /* no procfs: the kernel release and programs still count */
  }
  const programs = PROBED.map((name) => {
    for (const d of SEARCH) {
      const p = `${d}/${name}`;
      if (!existsSync(p)) continue;
      const s = statSync(p);
      return `${p}:${s.size}:${s.mtimeMs}:${s.ino}`;
    }
    return `${name}:-`;
  });
  return JSON.stringify([boot, release(), process.getuid?.() ?? -1, ...programs]);
}

function readRecord<T>(file: string, key: string): T | undefined {
  try {
    const s = statSync(file);
    // only a file we own and nobody else can write: the helper runs as root
    if (s.uid !== (process.getuid?.() ?? -1) || (s.mode & 0o022) !== 0) return undefined;
    const rec = JSON.parse(readFileSync(file, 'utf8')) as { key?: string; value?: T };
    return rec.key === key ? rec.value : undefined;
  } catch {
    return undefined;
  }
}

function writeRecord(file: string, key: string, value: unknown): void {
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, value }) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    /* not root, read-only /run: the next helper probes again */
  }
}

/**
 * `probe()`'s answer from the record when it still holds, else probed now and
 * recorded if `trustworthy` says so (a probe that timed out on a busy host must
 * not stand for the whole boot).
 */
export async function rememberedProbes<T>(probe: () => Promise<T>, trustworthy: (v: T) => boolean): Promise<T> {
  const file = probeCacheFile();
  const key = probeKey();
  const known = readRecord<T>(file, key);
  if (known !== undefined) return known;
  const value = await probe();
  if (trustworthy(value)) writeRecord(file, key, value);
  return value;
}
