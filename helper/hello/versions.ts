/** Versions for hello: iproute2 (`ip -V`) and the kernel release. */
import { release } from 'node:os';
import { runProgram } from '../proc';

let ipVersion: Promise<string> | undefined;

export function iproute2Version(wrap?: string[]): Promise<string> {
  return (ipVersion ??= runProgram(['ip', '-V'], { wrap, timeoutMs: 5000 }).then((r) => {
    const m = /iproute2-([\w.+-]+)/.exec(r.stdout) ?? /(\d+\.\d+[\w.]*)/.exec(r.stdout);
    return m ? `iproute2-${m[1].replace(/^iproute2-/, '')}` : r.stdout.trim() || 'unknown';
  }));
}

export function kernelRelease(): string {
  return release();
}
