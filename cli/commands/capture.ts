import type { Command } from 'commander';
import { CAPTURE_LIMITS } from '../../shared/protocol/capture-limits';

interface CaptureOpts {
  count?: string;
  duration?: string;
  filter?: string;
  write?: string;
  maxBytes?: string;
  json?: boolean;
}

const int = (what: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n) || n < min || n > max)
    throw new Error(`${what}: a number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return v;
};

/**
 * `netns-studio capture NS IFACE`: tcpdump inside namespace NS on IFACE, run by
 * the helper (argument arrays, the filter compile-checked first), bounded by
 * --count, --duration and --max-bytes; one line per packet (or JSON lines), and
 * with -w the packets as a pcap file Wireshark opens. Ctrl-C stops it (the file
 * is still written).
 */
export function registerCapture(program: Command): void {
  program
    .command('capture')
    .description('capture packets on an interface of a namespace (tcpdump in the namespace, bounded; needs root)')
    .argument('<namespace>', 'a named namespace, or host')
    .argument('<interface>', 'an interface in it')
    .option(
      '-c, --count <n>',
      `stop after N packets (default ${CAPTURE_LIMITS.defaultCount}, at most ${CAPTURE_LIMITS.maxCount})`,
      int('--count', 1, CAPTURE_LIMITS.maxCount),
    )
    .option(
      '--duration <seconds>',
      `stop after this long (default ${CAPTURE_LIMITS.defaultDurationMs / 1000}, at most ${CAPTURE_LIMITS.maxDurationMs / 1000})`,
      int('--duration', 0.1, CAPTURE_LIMITS.maxDurationMs / 1000),
    )
    .option(
      '--max-bytes <n>',
      `stop after N bytes of packets (default ${CAPTURE_LIMITS.defaultBytes}, at most ${CAPTURE_LIMITS.maxBytes})`,
      int('--max-bytes', 1, CAPTURE_LIMITS.maxBytes),
    )
    .option('--filter <bpf>', 'a pcap-filter(7) expression, e.g. "icmp or tcp port 80"')
    .option('-w, --write <file.pcap>', 'also write the packets to a pcap file')
    .option('--json', 'one JSON object per packet instead of text')
    .addHelpText(
      'after',
      `
Each line: time, protocol, source > destination, length, summary. At the end, on stderr:
how many packets and why the capture stopped (count, duration, bytes, stopped, exited).
Examples:
  sudo netns-studio capture ns1 veth0 --count 10
  sudo netns-studio capture ns1 veth0 --filter icmp --duration 30 -w ping.pcap
`,
    )
    .action(async (namespace: string, iface: string, opts: CaptureOpts) => {
      process.exitCode = await runCapture(namespace, iface, opts);
    });
}

async function runCapture(namespace: string, iface: string, opts: CaptureOpts): Promise<number> {
  const { CaptureStartParams } = await import('../../shared/protocol/methods');
  const params = CaptureStartParams.safeParse({
    namespace,
    interface: iface,
    ...(opts.count ? { count: Number(opts.count) } : {}),
    ...(opts.duration ? { durationMs: Math.round(Number(opts.duration) * 1000) } : {}),
    ...(opts.maxBytes ? { maxBytes: Number(opts.maxBytes) } : {}),
    ...(opts.filter ? { filter: opts.filter } : {}),
  });
  if (!params.success) {
    console.error(`netns-studio capture: ${params.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('netns-studio capture: capturing in a namespace needs root; run it with sudo');
    return 1;
  }
  const { writeFileSync } = await import('node:fs');
  const { startStdioHelper } = await import('../../helper/client');
  const { packetLine } = await import('../../shared/capture/format');
  const { writePcap } = await import('../../shared/capture/pcap');
  type Ev = import('../../shared/protocol/methods').CaptureEvent;
  const h = await startStdioHelper({ onStderr: (t) => process.stderr.write(t), confirm: 'client' });
  const records: { time: number; origLen: number; data: Uint8Array }[] = [];
  let linktype = 1;
  let resolveEnd!: (e: Extract<Ev, { type: 'end' }> | undefined) => void;
  const ended = new Promise<Extract<Ev, { type: 'end' }> | undefined>((r) => (resolveEnd = r));
  h.onExit(() => resolveEnd(undefined));
  try {
    const sub = await h.subscribe(
      'capture.start',
      params.data,
      (e) => {
        const ev = e.data as Ev;
        if (ev.type === 'end') return resolveEnd(ev);
        linktype = ev.linktype;
        for (const p of ev.packets) {
          if (opts.write) records.push({ time: p.time, origLen: p.len, data: new Uint8Array(Buffer.from(p.data, 'base64')) });
          const { data: _data, ...rest } = p;
          process.stdout.write((opts.json ? JSON.stringify(rest) : packetLine(rest)) + '\n');
        }
      },
      'capture.stop',
    );
    console.error(`netns-studio capture: listening on ${namespace}/${iface}${opts.filter ? ` (${opts.filter})` : ''}`);
    const stop = () => void h.request('capture.stop', { subscription: sub.id }).catch(() => {});
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const end = await ended;
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    if (opts.write) writeFileSync(opts.write, writePcap(linktype, records));
    if (!end) {
      console.error('netns-studio capture: the helper stopped before the capture ended');
      return 1;
    }
    console.error(
      `netns-studio capture: ${end.packets} packets, ${end.bytes} bytes; stopped by ${end.reason}${end.error ? `: ${end.error}` : ''}${opts.write ? `; written to ${opts.write}` : ''}`,
    );
    return end.reason === 'failed' ? 1 : 0;
  } catch (e) {
    console.error(`netns-studio capture: ${(e as Error).message}`);
    return 1;
  } finally {
    await h.close();
  }
}
