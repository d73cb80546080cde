import { Option, type Command } from 'commander';
import type { HostCommandOptions } from './host-options';

const stateDirOption = '--state-dir <dir>';
const stateDirHelp = 'where the records live (default $NETNS_STUDIO_STATE_DIR or /var/lib/netns-studio)';
const format = () => new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text');

/** `netns-studio list`: every applied topology: name, file, applied at, status, object counts. */
export function registerList(program: Command): void {
  program
    .command('list')
    .description('every applied topology: name, file, when applied, in sync / drifted N / partly gone, object counts (needs root)')
    .option(stateDirOption, stateDirHelp)
    .addOption(format())
    .action(async (opts: HostCommandOptions & { format?: 'text' | 'json' }) => {
      const { runList } = await import('./host-actions');
      process.exitCode = await runList(opts);
    });
}

/** `netns-studio status NAME`: one applied topology, what drifted, its history. */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .argument('<name>', 'topology name (netns-studio list shows them)')
    .description('how one applied topology stands: file, when applied, objects gone or drifted, history (needs root)')
    .option(stateDirOption, stateDirHelp)
    .addOption(format())
    .action(async (name: string, opts: HostCommandOptions & { format?: 'text' | 'json' }) => {
      const { runStatus } = await import('./host-actions');
      process.exitCode = await runStatus(name, opts);
    });
}
