/**
 * "Open in Wireshark" on the desktop: only where Wireshark is installed at its
 * system path (never looked up on $PATH), with the capture written to a fresh
 * private directory (0700, the file 0600) and Wireshark started as the person
 * running the app (main is never root), detached so it outlives the app.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from '../shared/backend';

export const WIRESHARK_PATHS = ['/usr/bin/wireshark', '/usr/local/bin/wireshark'] as const;

export function wiresharkPath(paths: readonly string[] = WIRESHARK_PATHS): string | undefined {
  return paths.find((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function openInWireshark(pcap: Uint8Array, program = wiresharkPath()): Result<null> {
  if (!program)
    return { ok: false, error: { code: 'unsupported', message: 'Wireshark is not installed (Debian: apt-get install wireshark); download the pcap instead' } };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'netns-studio-capture-'));
    const file = join(dir, 'capture.pcap');
    writeFileSync(file, pcap, { mode: 0o600 });
    const child = spawn(program, [file], { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return { ok: true, value: null };
  } catch (e) {
    return { ok: false, error: { code: 'file-error', message: `cannot open the capture in Wireshark: ${(e as Error).message}` } };
  }
}
