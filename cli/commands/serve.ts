import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port number 0–65535 (0 = any free port)');
  return n;
}

function collect(v: string, prev: string[]): string[] {
  if (!/^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/.test(v)) throw new InvalidArgumentError('a host name');
  return [...prev, v];
}

function parsePrefix(v: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(v)) throw new InvalidArgumentError('the start of a namespace name (letters, digits, _ . -)');
  return v;
}

/** `netns-studio serve`: the app in a browser, for hosts without a display (reach it over an ssh tunnel). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the app to a browser (token-protected, loopback only by default)')
    .option('-p, --port <n>', 'port to listen on (0 = any free port)', parsePort, 0)
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .option('--allow-host <name>', 'also accept this Host header (repeatable), e.g. a tunnel name', collect, [] as string[])
    .option('--only-prefix <prefix>', 'live view: show only namespaces whose name starts with this', parsePrefix)
    .action(async (opts: { port: number; host: string; open: boolean; allowHost: string[]; onlyPrefix?: string }) => {
      const { runServe } = await import('../../server/serve');
      const running = await runServe({ port: opts.port, host: opts.host, open: opts.open, allowHosts: opts.allowHost, onlyPrefix: opts.onlyPrefix });
      const stop = () => {
        void running.stop().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
