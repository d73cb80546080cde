/**
 * A bounded packet capture: tcpdump inside one namespace (nsenter and tcpdump by
 * absolute path, an argument array; the filter is one argv element after `--`,
 * compile-checked by `tcpdump -d` first), writing pcap to its stdout, which is
 * parsed here (shared/capture/pcap.ts) into packets with their words
 * (shared/capture/decode.ts). Bounded three ways: tcpdump's own `-c count`, a
 * timer (SIGTERM at the duration) and the bytes captured (stopped past maxBytes).
 * Packets go out in batches (every 100 ms or 256 packets), then one `end`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { HOST_NS } from '../../shared/model/schema';
import { decodeFrame } from '../../shared/capture/decode';
import { PcapStreamReader } from '../../shared/capture/pcap';
import { CAPTURE_LIMITS, type CaptureEndReason, type CaptureEvent, type CaptureStartParams, type CapturedPacket } from '../../shared/protocol/methods';
import { hasProgram, programPath, resolvedArgv } from '../programs';
import { runProgram } from '../proc';
import { enterNamed } from '../discover/ns-owner';

const BATCH_MS = 100;
const BATCH_PACKETS = 256;

/**
 * argv prefix that runs a program inside `namespace` (nothing for the helper's
 * own, `host`); one an unprivileged user owns is entered as that owner
 * (../discover/ns-owner.ts), never as full root.
 */
export const inNamespace = (namespace: string): string[] => enterNamed(namespace);

/** Why this capture may not start (undefined: it may): tcpdump present, the namespace there, the interface and filter accepted by `tcpdump -d`. */
export async function captureRefusal(p: CaptureStartParams, wrap?: string[]): Promise<string | undefined> {
  if (!hasProgram('tcpdump')) return 'tcpdump is not installed (Debian: apt-get install tcpdump)';
  if (p.namespace !== HOST_NS && !existsSync(`/run/netns/${p.namespace}`)) return `${p.namespace}: no such named namespace on this host`;
  const check = await runProgram(
    [...inNamespace(p.namespace), programPath('tcpdump'), '-d', '-i', p.interface, '--', ...(p.filter?.trim() ? [p.filter] : [])],
    { wrap, timeoutMs: 10_000 },
  );
  if (check.code === 0) return undefined;
  const why =
    check.stderr
      .trim()
      .split('\n')
      .filter((l) => !/^\(/.test(l))
      .pop() ?? `tcpdump -d exited with ${check.code}`;
  return why.replace(/^tcpdump: /, '').slice(0, 300);
}

export function captureArgv(p: CaptureStartParams): string[] {
  const count = p.count ?? CAPTURE_LIMITS.defaultCount;
  return [
    ...inNamespace(p.namespace),
    programPath('tcpdump'),
    '-i',
    p.interface,
    '-n',
    '--immediate-mode',
    '-U',
    '-s',
    String(p.snaplen ?? CAPTURE_LIMITS.snaplen),
    '-c',
    String(count),
    '-w',
    '-',
    '--',
    ...(p.filter?.trim() ? [p.filter] : []),
  ];
}

export interface RunningCapture {
  stop(): void;
  /** resolves with the `end` event once tcpdump is gone */
  done: Promise<Extract<CaptureEvent, { type: 'end' }>>;
  /** resolves once tcpdump says it is listening (or has ended): packets sent after this are seen */
  listening: Promise<void>;
}

export function startCapture(p: CaptureStartParams, opts: { wrap?: string[]; emit: (e: CaptureEvent) => void }): RunningCapture {
  const count = p.count ?? CAPTURE_LIMITS.defaultCount;
  const maxBytes = p.maxBytes ?? CAPTURE_LIMITS.defaultBytes;
  const full = resolvedArgv([...(opts.wrap ?? []), ...captureArgv(p)]);
  const child = spawn(full[0], full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const reader = new PcapStreamReader();
  let batch: CapturedPacket[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let packets = 0;
  let bytes = 0;
  let reason: CaptureEndReason | undefined;
  let stderr = '';

  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = undefined;
    if (!batch.length || !reader.header) return;
    opts.emit({ type: 'packets', linktype: reader.header.linktype, packets: batch });
    batch = [];
  };
  const terminate = (why: CaptureEndReason) => {
    reason ??= why;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  };
  const durationTimer = setTimeout(() => terminate('duration'), p.durationMs ?? CAPTURE_LIMITS.defaultDurationMs);

  child.stdout.on('data', (chunk: Buffer) => {
    if (reason === 'bytes') return;
    let records;
    try {
      records = reader.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } catch (e) {
      stderr += `\n${(e as Error).message}`;
      return terminate('failed');
    }
    for (const r of records) {
      if (bytes + r.data.length > maxBytes) {
        terminate('bytes');
        break;
      }
      bytes += r.data.length;
      packets++;
      batch.push({ n: packets, time: r.time, len: r.origLen, ...decodeFrame(reader.header!.linktype, r.data), data: Buffer.from(r.data).toString('base64') });
    }
    if (batch.length >= BATCH_PACKETS) flush();
    else if (batch.length && !flushTimer) flushTimer = setTimeout(flush, BATCH_MS);
  });
  let nowListening!: () => void;
  const listening = new Promise<void>((r) => (nowListening = r));
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
    if (stderr.includes('listening on')) nowListening();
  });

  const done = new Promise<Extract<CaptureEvent, { type: 'end' }>>((resolve) => {
    let settled = false;
    const finish = (code: number | null, error?: string) => {
      if (settled) return;
      settled = true;
      nowListening();
      clearTimeout(durationTimer);
      flush();
      const why: CaptureEndReason = reason ?? (packets >= count ? 'count' : code === 0 ? 'exited' : 'failed');
      const lastLine = stderr
        .trim()
        .split('\n')
        .filter((l) => !/^(tcpdump: listening|\d+ packets)/.test(l))
        .pop();
      const end: Extract<CaptureEvent, { type: 'end' }> = { type: 'end', reason: why, packets, bytes };
      const err = error ?? (why === 'failed' || why === 'exited' ? lastLine : undefined);
      if (err) end.error = err.replace(/^tcpdump: /, '').slice(0, 300);
      opts.emit(end);
      resolve(end);
    };
    child.on('error', (e) => finish(null, e.message));
    child.on('close', (code) => finish(code));
  });
  return { stop: () => terminate('stopped'), done, listening };
}
