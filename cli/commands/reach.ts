import { Option, type Command } from 'commander';
import { sourceOptions } from './reach-source';
import type { PingOutcome } from '../../helper/ping/run';
import type {} from '../../helper/methods/ping';

interface ReachOpts {
  live?: boolean;
  verify?: boolean;
  onlyPrefix?: string;
  stripPrefix?: boolean;
  format: 'text' | 'json';
  count: number;
  lanes: number;
}

/**
 * `netns-studio reach [FILE | --live] [--verify] [--format json]`: the matrix of
 * every namespace pinging every other namespace's addresses, predicted; with
 * --verify also pinged for real by the helper, disagreements flagged. Exit 0;
 * with --verify 2 when a prediction and a ping disagree; 1 on error.
 */
export function registerReach(program: Command): void {
  const cmd = program
    .command('reach')
    .description("every namespace to every other namespace's addresses: predicted reachability (with --verify: beside real pings)")
    .argument('[file]', 'topology file (the design, before apply); or --live')
    .option('--verify', 'also ping each pair for real through the helper (needs root; only addresses inside this host)');
  sourceOptions(cmd, 'output format: text, or json (an array of {from, to, predicted, hops, reason, actual?})')
    .addOption(new Option('--count <n>', 'pings per pair with --verify (1-3)').argParser((v) => intIn(v, 1, 3)).default(1))
    .addOption(new Option('--lanes <n>', 'parallel pings with --verify (1-16)').argParser((v) => intIn(v, 1, 16)).default(8))
    .addHelpText('after', '\nExamples:\n  netns-studio reach lab.yaml\n  sudo netns-studio reach --live --verify --format json\n')
    .action(async (file: string | undefined, opts: ReachOpts) => {
      const { openSource } = await import('./reach-source');
      const src = await openSource('reach', file, opts, !!opts.verify);
      if (!src) {
        process.exitCode = 1;
        return;
      }
      try {
        const { reachMatrix } = await import('../../shared/reach/matrix');
        const rows: (ReturnType<typeof reachMatrix>[number] & { actual?: 'ok' | 'fail' })[] = reachMatrix(src.net, { hops: opts.format === 'json' });
        let disagree = 0;
        if (opts.verify && rows.length) {
          const pings = rows.map((r) => ({ from: src.realName(r.from), to: r.to, count: opts.count, timeoutMs: 1000 }));
          const results: PingOutcome[] = [];
          for (let i = 0; i < pings.length; i += 1024) {
            const part = await src.helper!.request<'ping'>('ping', { pings: pings.slice(i, i + 1024), lanes: opts.lanes }, { timeoutMs: 600_000 });
            results.push(...part.results);
          }
          rows.forEach((r, i) => (r.actual = results[i].ok ? 'ok' : 'fail'));
          disagree = rows.filter((r) => r.actual !== r.predicted).length;
        }
        // one row per line: still one JSON array, far smaller than indented (a 200-namespace matrix has 40 000 rows)
        if (opts.format === 'json') process.stdout.write(rows.length ? `[\n${rows.map((r) => JSON.stringify(r)).join(',\n')}\n]\n` : '[]\n');
        else {
          const { formatMatrix } = await import('../../shared/reach/format');
          console.log(formatMatrix(rows));
        }
        process.exitCode = disagree ? 2 : 0;
      } finally {
        await src.close();
      }
    });
}

function intIn(v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`expected a whole number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return n;
}
