import type { Command } from 'commander';
import { sourceOptions } from './reach-source';

/**
 * `netns-studio why FROM TO [FILE | --live]`: would a ping from namespace FROM
 * reach TO (an address, or a namespace: its first address), and if not, where
 * and why it stops, with a fix. Exit 0: reaches; 2: fails or cannot be decided; 1: error.
 */
export function registerWhy(program: Command): void {
  const cmd = program
    .command('why')
    .description(
      'can namespace FROM ping TO? The path there and back, or the first hop that fails with its reason and a fix (exit 0: reaches, 2: does not or unknown, 1: error)',
    )
    .argument('<from>', 'namespace the ping starts in (host = the root namespace)')
    .argument('<to>', 'an address, or a namespace (its first address)')
    .argument('[file]', 'topology file (the design, before apply); or --live');
  sourceOptions(cmd, 'output format')
    .addHelpText('after', '\nExamples:\n  netns-studio why ns1 ns2 lab.yaml\n  sudo netns-studio why ns1 192.168.2.1 --live\n')
    .action(
      async (
        from: string,
        to: string,
        file: string | undefined,
        opts: { live?: boolean; onlyPrefix?: string; stripPrefix?: boolean; format: 'text' | 'json' },
      ) => {
        const { openSource } = await import('./reach-source');
        const src = await openSource('why', file, opts, false);
        if (!src) {
          process.exitCode = 1;
          return;
        }
        try {
          const { resolveTarget } = await import('../../shared/reach/matrix');
          const { trace } = await import('../../shared/reach/trace');
          const addr = resolveTarget(src.net, to);
          if (!addr) {
            const ns = src.net.namespaces.get(to);
            console.error(
              `netns-studio why: ${ns ? `namespace ${to} has no address to ping` : `${to} is neither an IP address nor a namespace (namespaces: ${[...src.net.namespaces.keys()].join(', ')})`}`,
            );
            process.exitCode = 1;
            return;
          }
          const r = trace(src.net, from, addr, src.net.namespaces.has(to) ? to : undefined);
          if (r.failure?.code === 'unknown-namespace') {
            console.error(`netns-studio why: ${r.failure.reason} (${r.failure.fix})`);
            process.exitCode = 1;
            return;
          }
          if (opts.format === 'json') console.log(JSON.stringify(r, null, 2));
          else {
            const { formatWhy } = await import('../../shared/reach/format');
            console.log(formatWhy(r));
          }
          process.exitCode = r.predicted === 'ok' ? 0 : 2;
        } finally {
          await src.close();
        }
      },
    );
}
